import Foundation
import ForageCore

/// The completed trials of a history with finite losses, read in one pass without copying snapshots: their
/// positions in `history.trials`, trial numbers, losses (flat, `objectives` per trial), feasibility and violation.
struct CompletedLosses {
    let objectives: Int
    private(set) var positions: [Int] = []
    private(set) var numbers: [Int] = []
    private(set) var losses: [Double] = []
    private(set) var violations: [Double] = []
    /// Positions of finished trials with a value but no usable loss vector (pruned trials of a multi-objective
    /// experiment, or completed ones with a missing or non-finite objective).
    private(set) var unusable: [Int] = []

    /// The goals and trial revisions the losses were read under (for `init(history:reusing:)`).
    private let goals: ObjectiveSet
    private let revisions: [UInt64]

    /// `previous` (losses read from an earlier state of the same or another history) saves reading the trials whose
    /// revision it saw: their entries are copied from it instead, so a long history costs a pass over two flat
    /// arrays rather than a visit to every trial's own values. The result is what reading every trial gives.
    init(history: TrialHistory, reusing previous: CompletedLosses? = nil) {
        let goals = history.goals
        self.goals = goals
        revisions = history.revisions
        let multi = goals.isMultiObjective
        let directions = goals.objectives.map(\.direction)
        objectives = multi ? directions.count : 1
        let count = history.trials.count
        var positions: [Int] = []
        var numbers: [Int] = []
        var losses: [Double] = []
        var violations: [Double] = []
        var unusable: [Int] = []
        positions.reserveCapacity(count)
        numbers.reserveCapacity(count)
        losses.reserveCapacity(count * objectives)
        violations.reserveCapacity(count)
        let objectives = objectives
        let reusable = previous.flatMap { $0.goals == goals ? $0 : nil }
        // Cursors into `reusable`'s usable and unusable lists (both increasing by position).
        var p = 0
        var u = 0
        // The leading trials whose revisions `reusable` saw in the same places: their entries are copied in bulk.
        var start = 0
        if let reusable {
            start = Self.sharedPrefix(revisions, reusable.revisions)
            p = Self.firstAtOrAbove(start, in: reusable.positions)
            u = Self.firstAtOrAbove(start, in: reusable.unusable)
            positions.append(contentsOf: reusable.positions[..<p])
            numbers.append(contentsOf: reusable.numbers[..<p])
            violations.append(contentsOf: reusable.violations[..<p])
            losses.append(contentsOf: reusable.losses[..<(p * objectives)])
            unusable.append(contentsOf: reusable.unusable[..<u])
        }
        history.trials.withUnsafeBufferPointer { trials in
            for index in start..<count {
                if let reusable {
                    while p < reusable.positions.count && reusable.positions[p] < index { p += 1 }
                    while u < reusable.unusable.count && reusable.unusable[u] < index { u += 1 }
                    if index < reusable.revisions.count && reusable.revisions[index] == revisions[index] {
                        if p < reusable.positions.count && reusable.positions[p] == index {
                            positions.append(index)
                            numbers.append(reusable.numbers[p])
                            violations.append(reusable.violations[p])
                            for k in 0..<objectives { losses.append(reusable.losses[p * objectives + k]) }
                        } else if u < reusable.unusable.count && reusable.unusable[u] == index {
                            unusable.append(index)
                        }
                        continue
                    }
                }
                let state = trials[index].state
                guard state == .completed || state == .pruned else { continue }
                var usable = state == .completed
                if usable {
                    let start = losses.count
                    if multi {
                        if let values = trials[index].values, values.count >= objectives {
                            for k in 0..<objectives {
                                let loss = directions[k].loss(values[k])
                                if !loss.isFinite { usable = false }
                                losses.append(loss)
                            }
                        } else {
                            usable = false
                        }
                    } else if let value = trials[index].value, value.isFinite {
                        losses.append(directions[0].loss(value))
                    } else {
                        usable = false
                    }
                    if usable {
                        positions.append(index)
                        numbers.append(trials[index].number)
                        violations.append(trials[index].violation ?? 0)
                        continue
                    }
                    losses.removeSubrange(start...)
                }
                if trials[index].value != nil { unusable.append(index) }
            }
        }
        self.positions = positions
        self.numbers = numbers
        self.losses = losses
        self.violations = violations
        self.unusable = unusable
    }

    /// Completed trials read.
    var count: Int { positions.count }

    /// The first place in `sorted` (increasing) holding `value` or more.
    private static func firstAtOrAbove(_ value: Int, in sorted: [Int]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Whether the first `other.revisions.count` trials read here are those `other` read (the same revisions in
    /// the same places): then `other`'s entries are the first `other.count` here.
    func extends(_ other: CompletedLosses) -> Bool {
        Self.sharedPrefix(revisions, other.revisions) == other.revisions.count
    }

    /// How many leading revisions `a` and `b` have in common.
    private static func sharedPrefix(_ a: [UInt64], _ b: [UInt64]) -> Int {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let shared = min(a.count, b.count)
                var k = 0
                while k < shared && a[k] == b[k] { k += 1 }
                return k
            }
        }
    }

    /// Whether trial `k` (an index into these lists) met every constraint.
    func isFeasible(_ k: Int) -> Bool { violations[k] <= 0 }

    /// The loss vector of trial `k`.
    func lossVector(_ k: Int) -> [Double] { Array(losses[(k * objectives)..<((k + 1) * objectives)]) }

    /// Objective `m`'s loss of trial `k`.
    func loss(_ k: Int, _ m: Int) -> Double { losses[k * objectives + m] }

    /// Of `indices` (increasing), those that fewer than `count` others beat in both of two objectives, in the same
    /// order. A trial left out is dominated by at least `count` others, all in earlier fronts, so no leading fronts
    /// covering `count` trials reach it; and whatever a left-out trial dominates is left out too (the trials beating
    /// it beat that one), so the fronts of what is kept are the leading fronts of all `indices`, unchanged. Other
    /// numbers of objectives: `indices` unchanged.
    func fewDominators(_ indices: [Int], count: Int) -> [Int] {
        guard objectives == 2, indices.count > count else { return indices }
        let beaten = twoObjectiveBeatenCounts(indices)
        return (0..<indices.count).filter { beaten[$0] < count }.map { indices[$0] }
    }

    /// Two objectives: for each of `indices`, how many of the others beat it in both.
    func twoObjectiveBeatenCounts(_ indices: [Int]) -> [Int] {
        let n = indices.count
        let first = indices.map { losses[$0 * 2] }
        let second = indices.map { losses[$0 * 2 + 1] }
        // Dense ranks of the second loss (equal losses, equal ranks, from 1).
        let bySecond = Self.order(second)
        var secondRank = [Int](repeating: 0, count: n)
        var levels = 0
        for t in 0..<n {
            if t == 0 || bySecond[t].loss != bySecond[t - 1].loss { levels += 1 }
            secondRank[bySecond[t].k] = levels
        }
        let byFirst = Self.order(first)
        // Sweep by the first loss (ties together), counting earlier trials with a smaller second loss (a Fenwick tree).
        var tree = [Int](repeating: 0, count: levels + 1)
        var beaten = [Int](repeating: 0, count: n)
        var start = 0
        while start < n {
            var end = start
            while end < n && byFirst[end].loss == byFirst[start].loss { end += 1 }
            for t in start..<end {
                var x = secondRank[byFirst[t].k] - 1
                var sum = 0
                while x > 0 {
                    sum += tree[x]
                    x -= x & -x
                }
                beaten[byFirst[t].k] = sum
            }
            for t in start..<end {
                var x = secondRank[byFirst[t].k]
                while x <= levels {
                    tree[x] += 1
                    x += x & -x
                }
            }
            start = end
        }
        return beaten
    }

    /// `keys` (finite) in increasing order with their positions (equal keys in any order).
    private static func order(_ keys: [Double]) -> [(loss: Double, k: Int)] {
        var positions = (0..<Int32(keys.count)).map { $0 }
        keys.withUnsafeBufferPointer { keys in
            positions.sort { keys[Int($0)] < keys[Int($1)] }
        }
        return positions.map { (keys[Int($0)], Int($0)) }
    }

    /// Whether both were read under the same objectives and constraints (so one trial revision gives both the same
    /// entry).
    func hasSameGoals(as other: CompletedLosses) -> Bool { goals == other.goals }

    /// Whether trial `k` here and trial `j` of `other` have the same number, losses and violation, given
    /// `hasSameGoals(as: other)` (at once when both were read from one revision of one trial).
    func same(_ k: Int, as other: CompletedLosses, _ j: Int) -> Bool {
        if revisions[positions[k]] == other.revisions[other.positions[j]] { return true }
        guard numbers[k] == other.numbers[j], violations[k] == other.violations[j], objectives == other.objectives else { return false }
        for m in 0..<objectives where losses[k * objectives + m] != other.losses[j * objectives + m] { return false }
        return true
    }
}

/// Which completed trials can still be among the best `count` by one loss (or by violation), or, with two
/// objectives, survived `CompletedLosses.fewDominators`, remembered between suggestions of one sampler: a pure
/// speed-up, never a change of result. (With three objectives the selection is reused when it was made, and its
/// counts stored, by `CompletedLosses.dominatorCounts`; with more, never.)
///
/// When the history only grew (every trial read last time is still there, in the same order, with the same values),
/// a trial left out last time had at least `count` trials strictly better (in both objectives) and still has; and
/// whatever a left-out trial dominates is beaten by `count` kept ones too. (Keeping only the fronts would not do: a
/// new trial can push part of a front back and bring a left-out trial in.) So the selection is recomputed from the
/// kept trials plus the new ones, in history order, which gives the same result as from every trial. Any other change (another history, a trial changed or gone, another `count`) starts again from every trial,
/// so a resumed run or another process decides exactly as this one does.
final class LeadingFrontCache: @unchecked Sendable {
    private let lock = NSLock()
    private var previous: CompletedLosses?
    /// Indices into `previous` of the trials the selection kept, increasing.
    private var kept: [Int] = []
    private var covering = -1
    /// Per trial of `previous`: how many kept trials beat it in every objective (three or more objectives, when the
    /// kept trials are those `CompletedLosses.dominatorCounts` kept), or −1.
    private var counts: [Int] = []
    /// Whether the kept trials of three or more objectives can be reused (they are `dominatorCounts`' selection).
    private var reusable = false
    /// The last cut of a front (its points, the count kept, the indices chosen).
    private var lastCut: (points: [[Double]], count: Int, chosen: [Int])?

    /// The losses the last selection read (to read the next history's from, `CompletedLosses(history:reusing:)`).
    var lastLosses: CompletedLosses? {
        lock.lock()
        defer { lock.unlock() }
        return previous
    }

    /// Indices into `current` (increasing) of the trials the selection must look at.
    func candidates(_ current: CompletedLosses, covering count: Int) -> [Int] {
        candidatesAndCounts(current, covering: count).indices
    }

    /// `candidates`, with the count stored for each (−1 for a trial added since, or none stored).
    func candidatesAndCounts(_ current: CompletedLosses, covering count: Int) -> (indices: [Int], counts: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        let everything = (Array(0..<current.count), [Int](repeating: -1, count: current.count))
        guard current.objectives <= 2 || reusable, let previous, covering == count, previous.count <= current.count,
              current.hasSameGoals(as: previous) else {
            return everything
        }
        var result: [Int] = []
        var known: [Int] = []
        if current.extends(previous) {
            // Only added to: the trials read last time are the first `previous.count` now, in the same order.
            result.reserveCapacity(kept.count + current.count - previous.count)
            known.reserveCapacity(result.capacity)
            for i in kept {
                result.append(i)
                known.append(counts[i])
            }
            result.append(contentsOf: previous.count..<current.count)
            known.append(contentsOf: repeatElement(-1, count: current.count - previous.count))
            return (result, known)
        }
        var j = 0
        var next = 0
        for i in 0..<previous.count {
            // Trials read now but not last time (finished since) come before the next one read last time.
            while j < current.count && current.numbers[j] != previous.numbers[i] {
                result.append(j)
                known.append(-1)
                j += 1
            }
            guard j < current.count, current.same(j, as: previous, i) else { return everything }
            if next < kept.count && kept[next] == i {
                next += 1
                result.append(j)
                known.append(counts[i])
            }
            j += 1
        }
        while j < current.count {
            result.append(j)
            known.append(-1)
            j += 1
        }
        return (result, known)
    }

    /// Remembers `current` and which of its trials (indices) the selection kept; `counts` (aligned with `indices`,
    /// −1 where unknown) are `CompletedLosses.dominatorCounts`' counts when it made the selection of three or more
    /// objectives (without them, such a selection is not reused).
    func store(_ current: CompletedLosses, kept indices: [Int], counts keptCounts: [Int]? = nil, covering count: Int) {
        var stored = [Int](repeating: -1, count: current.count)
        if let keptCounts {
            for (position, k) in indices.enumerated() { stored[k] = keptCounts[position] }
        }
        var increasing: [Int] = []
        increasing.reserveCapacity(indices.count)
        for k in indices.sorted() where increasing.last != k { increasing.append(k) }
        lock.lock()
        previous = current
        kept = increasing
        counts = stored
        reusable = keptCounts != nil
        covering = count
        lock.unlock()
    }

    /// The cut of a front to `count` points that `compute` makes, remembered for the same points and count (the
    /// front a long history cuts rarely changes from one suggestion to the next).
    func cut(_ points: [[Double]], count: Int, compute: () -> [Int]) -> [Int] {
        lock.lock()
        let hit = lastCut.flatMap { $0.count == count && $0.points == points ? $0.chosen : nil }
        lock.unlock()
        if let hit { return hit }
        let chosen = compute()
        lock.lock()
        lastCut = (points, count, chosen)
        lock.unlock()
        return chosen
    }
}

extension CompletedLosses {
    /// The trials a selection of `count` needs to look at (all of them, or those `cache` kept), split into feasible
    /// ones (with the dominator counts the cache knows for them, -1 where unknown) and infeasible ones.
    func candidates(cache: LeadingFrontCache?, covering count: Int) -> (feasible: [Int], known: [Int], infeasible: [Int]) {
        let (indices, counts) = cache?.candidatesAndCounts(self, covering: count)
            ?? (Array(0..<self.count), [Int](repeating: -1, count: self.count))
        var feasible: [Int] = []
        var known: [Int] = []
        var infeasible: [Int] = []
        for (k, count) in zip(indices, counts) {
            if isFeasible(k) {
                feasible.append(k)
                known.append(count)
            } else {
                infeasible.append(k)
            }
        }
        return (feasible, known, infeasible)
    }
}
