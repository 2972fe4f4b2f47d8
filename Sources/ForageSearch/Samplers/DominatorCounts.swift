import Foundation
import ForageCore

extension CompletedLosses {
    /// Two or three objectives: of `indices` (increasing), those that fewer than `count` others beat in every
    /// objective, in the same order, with how many beat each (the selection `CompletedLosses.fewDominators` makes
    /// for two objectives; the reasoning there holds for any number). A trial kept has every trial beating it kept too (one
    /// left out would bring `count` more), so its count is exact.
    ///
    /// `known[k]`, when 0 or more, is the count of `indices[k]` from an earlier call over the kept trials of a
    /// history this one only added to (the rest, −1, are the trials added): then only the added trials are compared
    /// with the others — a kept trial's count grows by the added trials beating it — instead of all pairs.
    func dominatorCounts(_ indices: [Int], count: Int, known: [Int]) -> (kept: [Int], counts: [Int]) {
        let n = indices.count
        let m = objectives
        guard n > 0, m == 2 || m == 3 else { return (indices, [Int](repeating: 0, count: n)) }
        var counts = [Int](repeating: 0, count: n)
        let added = (0..<n).filter { known[$0] < 0 }
        losses.withUnsafeBufferPointer { losses in
            // Whether indices[a] beats indices[b] in every objective.
            func beats(_ a: Int, _ b: Int) -> Bool {
                let pa = indices[a] * m
                let pb = indices[b] * m
                for j in 0..<m where !(losses[pa + j] < losses[pb + j]) { return false }
                return true
            }
            if added.count * 8 <= n {
                for k in 0..<n where known[k] >= 0 { counts[k] = known[k] }
                for a in added {
                    for b in 0..<n where b != a {
                        if beats(b, a) {
                            counts[a] += 1
                        } else if known[b] >= 0 && beats(a, b) {
                            counts[b] += 1
                        }
                    }
                }
                return
            }
            // From scratch: every pair counted, by a sweep (two objectives) or divide and conquer (three).
            guard m == 3 else {
                counts = twoObjectiveBeatenCounts(indices)
                return
            }
            let columns = (0..<m).map { j in indices.map { losses[$0 * m + j] } }
            counts = Self.beatenCounts(columns[0], columns[1], columns[2])
        }
        var kept: [Int] = []
        var keptCounts: [Int] = []
        for k in 0..<n where counts[k] < count {
            kept.append(indices[k])
            keptCounts.append(counts[k])
        }
        return (kept, keptCounts)
    }

    /// For each point `k` of three coordinates `(x[k], y[k], z[k])`, how many points are smaller in all three
    /// (strictly): the points sorted by `x` are halved at a change of `x`, each half counted on its own, and the
    /// pairs across (every left `x` below every right `x`) counted by a sweep over `y` with a Fenwick tree over the
    /// ranks of `z` — O(n log² n).
    static func beatenCounts(_ x: [Double], _ y: [Double], _ z: [Double]) -> [Int] {
        let n = x.count
        var counts = [Int](repeating: 0, count: n)
        guard n > 1 else { return counts }
        // Dense ranks of z from 1 (equal values, equal ranks).
        var byZ = Array(0..<n)
        byZ.sort { z[$0] < z[$1] }
        var zRank = [Int](repeating: 0, count: n)
        var levels = 0
        for t in 0..<n {
            if t == 0 || z[byZ[t]] != z[byZ[t - 1]] { levels += 1 }
            zRank[byZ[t]] = levels
        }
        var tree = [Int](repeating: 0, count: levels + 1)
        func add(_ rank: Int, _ delta: Int) {
            var i = rank
            while i <= levels {
                tree[i] += delta
                i += i & -i
            }
        }
        func below(_ rank: Int) -> Int {
            var i = rank - 1
            var sum = 0
            while i > 0 {
                sum += tree[i]
                i -= i & -i
            }
            return sum
        }
        var order = Array(0..<n)
        order.sort { x[$0] < x[$1] }
        func solve(_ low: Int, _ high: Int) {
            guard high - low > 1 else { return }
            // Split where x changes, nearest the middle; a run of equal x beats nothing inside itself.
            var middle = (low + high) / 2
            while middle < high && x[order[middle]] == x[order[middle - 1]] { middle += 1 }
            if middle == high {
                middle = (low + high) / 2
                while middle > low && x[order[middle]] == x[order[middle - 1]] { middle -= 1 }
                guard middle > low else { return }
            }
            solve(low, middle)
            solve(middle, high)
            let left = order[low..<middle].sorted { y[$0] < y[$1] }
            let right = order[middle..<high].sorted { y[$0] < y[$1] }
            var i = 0
            for r in right {
                while i < left.count && y[left[i]] < y[r] {
                    add(zRank[left[i]], 1)
                    i += 1
                }
                counts[r] += below(zRank[r])
            }
            for j in 0..<i { add(zRank[left[j]], -1) }
        }
        solve(0, n)
        return counts
    }
}

extension CompletedLosses {
    /// `Pareto.leadingFronts` of the loss vectors of `indices`: the first non-dominated fronts (positions into
    /// `indices`, in the same order as `Pareto.leadingFronts` gives them) until they hold at least `count` trials.
    /// Three or more objectives are peeled on the flat losses (no loss vector is copied out; positions sorted
    /// lexicographically, so a trial can only be dominated by one before it); one or two go to `Pareto`'s sweep.
    ///
    /// `beaten`, when given, is how many trials beat each of `indices` in every objective (`dominatorCounts`' exact
    /// counts). Whatever dominates a trial has no more beating it (a trial beating the dominator beats the trial),
    /// so the first front is the non-dominated part of the trials nothing beats — usually a small set, which is all
    /// a long history's selection needs when that front alone covers `count`.
    func leadingFronts(_ indices: [Int], covering count: Int, beaten: [Int]? = nil) -> [[Int]] {
        let m = objectives
        guard m >= 3, !indices.isEmpty else { return Pareto.leadingFronts(indices.map { lossVector($0) }, covering: count) }
        return losses.withUnsafeBufferPointer { losses -> [[Int]] in
            func precedes(_ a: Int, _ b: Int) -> Bool {
                let pa = indices[a] * m
                let pb = indices[b] * m
                for j in 0..<m where losses[pa + j] != losses[pb + j] { return losses[pa + j] < losses[pb + j] }
                return false
            }
            // Pareto dominance (no worse in every objective, better in one), as `Pareto.dominates`.
            func dominates(_ a: Int, _ b: Int) -> Bool {
                let pa = indices[a] * m
                let pb = indices[b] * m
                var better = false
                for j in 0..<m {
                    let x = losses[pa + j]
                    let y = losses[pb + j]
                    if x > y { return false }
                    if x < y { better = true }
                }
                return better
            }
            // One peel: the non-dominated positions of `sorted` (lexicographic order), and the rest, both in order.
            func peel(_ sorted: [Int]) -> (front: [Int], rest: [Int]) {
                var front: [Int] = []
                var rest: [Int] = []
                rest.reserveCapacity(sorted.count)
                for i in sorted {
                    var dominated = false
                    for f in front where dominates(f, i) {
                        dominated = true
                        break
                    }
                    if dominated { rest.append(i) } else { front.append(i) }
                }
                return (front, rest)
            }
            var result: [[Int]] = []
            var remaining: [Int]
            if let beaten, beaten.count == indices.count {
                let first = peel(indices.indices.filter { beaten[$0] == 0 }.sorted(by: precedes)).front
                result.append(first)
                guard first.count < count else { return result }
                var inFirst = [Bool](repeating: false, count: indices.count)
                for i in first { inFirst[i] = true }
                remaining = indices.indices.filter { !inFirst[$0] }.sorted(by: precedes)
            } else {
                remaining = indices.indices.sorted(by: precedes)
            }
            var taken = result.first?.count ?? 0
            while !remaining.isEmpty && taken < count {
                let (front, rest) = peel(remaining)
                result.append(front)
                taken += front.count
                remaining = rest
            }
            return result
        }
    }
}
