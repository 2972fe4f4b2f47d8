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

    init(history: TrialHistory) {
        let goals = history.goals
        let multi = goals.isMultiObjective
        let directions = goals.objectives.map(\.direction)
        objectives = multi ? directions.count : 1
        let trials = history.trials
        positions.reserveCapacity(trials.count)
        numbers.reserveCapacity(trials.count)
        losses.reserveCapacity(trials.count * objectives)
        violations.reserveCapacity(trials.count)
        for index in trials.indices {
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

    /// Completed trials read.
    var count: Int { positions.count }

    /// Whether trial `k` (an index into these lists) met every constraint.
    func isFeasible(_ k: Int) -> Bool { violations[k] <= 0 }

    /// The loss vector of trial `k`.
    func lossVector(_ k: Int) -> [Double] { Array(losses[(k * objectives)..<((k + 1) * objectives)]) }

    /// Of `indices` (increasing), those that fewer than `count` others beat in both of two objectives, in the same
    /// order. A trial left out is dominated by at least `count` others, all in earlier fronts, so no leading fronts
    /// covering `count` trials reach it; and whatever a left-out trial dominates is left out too (the trials beating
    /// it beat that one), so the fronts of what is kept are the leading fronts of all `indices`, unchanged. Other
    /// numbers of objectives: `indices` unchanged.
    func fewDominators(_ indices: [Int], count: Int) -> [Int] {
        guard objectives == 2, indices.count > count else { return indices }
        let n = indices.count
        // Dense ranks of the second loss (equal losses, equal ranks, from 1).
        var bySecond = indices.enumerated().map { (loss: losses[$0.element * 2 + 1], k: $0.offset) }
        bySecond.sort { $0.loss < $1.loss }
        var secondRank = [Int](repeating: 0, count: n)
        var levels = 0
        for t in 0..<n {
            if t == 0 || bySecond[t].loss != bySecond[t - 1].loss { levels += 1 }
            secondRank[bySecond[t].k] = levels
        }
        var byFirst = indices.enumerated().map { (loss: losses[$0.element * 2], k: $0.offset) }
        byFirst.sort { $0.loss < $1.loss }
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
        return (0..<n).filter { beaten[$0] < count }.map { indices[$0] }
    }

    /// Whether trial `k` here and trial `j` of `other` have the same number, losses and violation.
    func same(_ k: Int, as other: CompletedLosses, _ j: Int) -> Bool {
        guard numbers[k] == other.numbers[j], violations[k] == other.violations[j], objectives == other.objectives else { return false }
        for m in 0..<objectives where losses[k * objectives + m] != other.losses[j * objectives + m] { return false }
        return true
    }
}

/// Which completed trials can still be among the best `count` by one loss (or by violation), or, with two
/// objectives, survived `CompletedLosses.fewDominators`, remembered between suggestions of one sampler: a pure
/// speed-up, never a change of result. (Three or more objectives do not use it.)
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
    private var kept: [Bool] = []
    private var covering = -1
    /// The last cut of a front (its points, the count kept, the indices chosen).
    private var lastCut: (points: [[Double]], count: Int, chosen: [Int])?

    /// Indices into `current` (increasing) of the trials the selection must look at.
    func candidates(_ current: CompletedLosses, covering count: Int) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        guard current.objectives <= 2, let previous, covering == count, previous.count <= current.count else {
            return Array(0..<current.count)
        }
        var result: [Int] = []
        var j = 0
        for i in 0..<previous.count {
            // Trials read now but not last time (finished since) come before the next one read last time.
            while j < current.count && current.numbers[j] != previous.numbers[i] {
                result.append(j)
                j += 1
            }
            guard j < current.count, current.same(j, as: previous, i) else { return Array(0..<current.count) }
            if kept[i] { result.append(j) }
            j += 1
        }
        while j < current.count {
            result.append(j)
            j += 1
        }
        return result
    }

    /// Remembers `current` and which of its trials (indices) the selection kept.
    func store(_ current: CompletedLosses, kept indices: [Int], covering count: Int) {
        var flags = [Bool](repeating: false, count: current.count)
        for k in indices { flags[k] = true }
        lock.lock()
        previous = current
        kept = flags
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
