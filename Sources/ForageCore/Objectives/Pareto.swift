/// Pareto dominance, non-dominated sorting and hypervolume on loss vectors (every objective minimised; turn values
/// into losses with `ObjectiveSet.losses`).
public enum Pareto {
    /// True when `a` is no worse than `b` in every objective and better in at least one.
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var better = false
        for i in a.indices {
            if a[i] > b[i] { return false }
            if a[i] < b[i] { better = true }
        }
        return better
    }

    /// The non-domination rank of each point (1 = the Pareto front, 2 = the front once the first is removed, …).
    /// Two objectives sort in O(n log n) per front (a sweep over the first loss); more use Deb's fast sort.
    public static func ranks(_ points: [[Double]]) -> [Int] {
        guard !points.isEmpty else { return [] }
        if points[0].count == 2 { return twoObjectiveRanks(points) }
        var dominatedBy = [Int](repeating: 0, count: points.count)
        var dominating = [[Int]](repeating: [], count: points.count)
        for i in points.indices {
            for j in (i + 1)..<points.count {
                if dominates(points[i], points[j]) {
                    dominating[i].append(j)
                    dominatedBy[j] += 1
                } else if dominates(points[j], points[i]) {
                    dominating[j].append(i)
                    dominatedBy[i] += 1
                }
            }
        }
        var ranks = [Int](repeating: 0, count: points.count)
        var current = points.indices.filter { dominatedBy[$0] == 0 }
        var rank = 1
        while !current.isEmpty {
            var next: [Int] = []
            for i in current {
                ranks[i] = rank
                for j in dominating[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            current = next
            rank += 1
        }
        return ranks
    }

    /// Two objectives: points sorted by (first, second) loss; each front's members keep a strictly falling second
    /// loss, so a point joins the first front whose last second loss is above its own (a binary search over fronts).
    private static func twoObjectiveRanks(_ points: [[Double]]) -> [Int] {
        let order = points.indices.sorted { (points[$0][0], points[$0][1]) < (points[$1][0], points[$1][1]) }
        var frontLast: [(first: Double, second: Double)] = []
        var ranks = [Int](repeating: 0, count: points.count)
        for i in order {
            let p = (first: points[i][0], second: points[i][1])
            // A point is dominated by a front's last member when that member is no worse in both and not equal.
            func dominatedBy(_ q: (first: Double, second: Double)) -> Bool {
                q.first <= p.first && q.second <= p.second && (q.first < p.first || q.second < p.second)
            }
            var low = 0
            var high = frontLast.count
            while low < high {
                let mid = (low + high) / 2
                if dominatedBy(frontLast[mid]) { low = mid + 1 } else { high = mid }
            }
            if low == frontLast.count { frontLast.append(p) } else { frontLast[low] = p }
            ranks[i] = low + 1
        }
        return ranks
    }

    /// The hypervolume dominated by `points` and bounded by `reference` (points not strictly better than the
    /// reference in every objective add nothing). Exact: a sweep for two objectives, slicing by the last objective
    /// for more.
    public static func hypervolume(_ points: [[Double]], reference: [Double]) -> Double {
        let inside = points.filter { p in zip(p, reference).allSatisfy { $0 < $1 } }
        guard !inside.isEmpty else { return 0 }
        // Two objectives: the sweep already skips dominated and repeated points (same sum, without the filter).
        if reference.count == 2 { return sliced(inside, reference: reference) }
        let front = inside.indices.filter { i in !inside.indices.contains { j in j != i && dominates(inside[j], inside[i]) } }
            .map { inside[$0] }
        return sliced(unique(front), reference: reference)
    }

    private static func unique(_ points: [[Double]]) -> [[Double]] {
        var seen = Set<[Double]>()
        return points.filter { seen.insert($0).inserted }
    }

    private static func sliced(_ points: [[Double]], reference: [Double]) -> Double {
        let dimensions = reference.count
        if dimensions == 1 { return reference[0] - (points.map { $0[0] }.min() ?? reference[0]) }
        if dimensions == 2 {
            let sorted = points.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
            var volume = 0.0
            var lastSecond = reference[1]
            for p in sorted where p[1] < lastSecond {
                volume += (reference[0] - p[0]) * (lastSecond - p[1])
                lastSecond = p[1]
            }
            return volume
        }
        // Slice along the last objective: between consecutive levels, the points at or below the level dominate a
        // (d−1)-dimensional volume.
        let last = dimensions - 1
        let sorted = points.sorted { $0[last] < $1[last] }
        var volume = 0.0
        var active: [[Double]] = []
        for (index, p) in sorted.enumerated() {
            active.append(Array(p[..<last]))
            let top = index + 1 < sorted.count ? sorted[index + 1][last] : reference[last]
            let height = top - p[last]
            guard height > 0 else { continue }
            let kept = active.indices.filter { i in !active.indices.contains { j in j != i && dominates(active[j], active[i]) } }
                .map { active[$0] }
            active = unique(kept)
            volume += height * sliced(active, reference: Array(reference[..<last]))
        }
        return volume
    }

    /// Each point's exclusive hypervolume contribution: the volume lost when it is removed.
    public static func contributions(_ points: [[Double]], reference: [Double]) -> [Double] {
        let total = hypervolume(points, reference: reference)
        return points.indices.map { i in
            var others = points
            others.remove(at: i)
            return total - hypervolume(others, reference: reference)
        }
    }

    /// Crowding distance of each point within one front (NSGA-II's diversity measure): infinite at the extremes.
    public static func crowding(_ points: [[Double]]) -> [Double] {
        guard points.count > 2 else { return [Double](repeating: .infinity, count: points.count) }
        var distance = [Double](repeating: 0, count: points.count)
        for m in points[0].indices {
            let order = points.indices.sorted { points[$0][m] < points[$1][m] }
            let low = points[order[0]][m]
            let high = points[order[order.count - 1]][m]
            distance[order[0]] = .infinity
            distance[order[order.count - 1]] = .infinity
            guard high > low else { continue }
            for k in 1..<(order.count - 1) {
                distance[order[k]] += (points[order[k + 1]][m] - points[order[k - 1]][m]) / (high - low)
            }
        }
        return distance
    }
}

extension Pareto {
    /// The first non-dominated fronts of `points` (indices), front 1 first, until they hold at least `count` points
    /// (or every point): only as many fronts as a selection of `count` needs are computed, each by peeling the
    /// non-dominated points off what is left (two objectives: by the O(n log n) ranking).
    public static func leadingFronts(_ points: [[Double]], covering count: Int) -> [[Int]] {
        guard !points.isEmpty else { return [] }
        if points[0].count <= 2 {
            let ranks = points[0].count == 2 ? self.ranks(points) : points.map { _ in 1 }
            var fronts: [[Int]] = Array(repeating: [], count: (ranks.max() ?? 0))
            if points[0].count == 1 {
                // One objective: each distinct loss is a front.
                let order = points.indices.sorted { points[$0][0] < points[$1][0] }
                fronts = []
                for i in order {
                    if let last = fronts.last?.last, points[last][0] == points[i][0] { fronts[fronts.count - 1].append(i) } else { fronts.append([i]) }
                }
            } else {
                for (i, rank) in ranks.enumerated() { fronts[rank - 1].append(i) }
            }
            var taken = 0
            var result: [[Int]] = []
            for front in fronts where !front.isEmpty {
                result.append(front)
                taken += front.count
                if taken >= count { break }
            }
            return result
        }
        var remaining = Array(points.indices).sorted { points[$0].lexicographicallyPrecedes(points[$1]) }
        var result: [[Int]] = []
        var taken = 0
        while !remaining.isEmpty && taken < count {
            // Sorted lexicographically, a point can only be dominated by one before it.
            var front: [Int] = []
            var rest: [Int] = []
            for i in remaining {
                if front.contains(where: { dominates(points[$0], points[i]) }) { rest.append(i) } else { front.append(i) }
            }
            result.append(front)
            taken += front.count
            remaining = rest
        }
        return result
    }
}
