import Foundation
import ForageCore

/// The finished trials a TPE suggestion learns from, split into "good" (the best `γ` fraction, at most 25) and
/// "bad" (the rest, plus running trials under the constant liar), with the weights of the bad ones.
///
/// The work is bounded whatever the history's length: one pass over the trials, a partial selection of the best
/// few, and at most `maxBad` bad trials (evenly spread over the history when there are more, always including the
/// newest), so a suggestion costs about the same at 10 000 trials as at 1 000.
struct TPESplit {
    /// Indices into `history.trials` of the good trials.
    var good: [Int] = []
    /// Indices into `history.trials` of the bad trials (a bounded subset), oldest first.
    var bad: [Int] = []
    /// Weights of `bad`: Optuna's ramp, where trials older than the newest 25 count linearly less.
    var badWeights: [Double] = []

    /// Finished trials (completed or pruned with a finite value).
    static func finishedCount(_ history: TrialHistory) -> Int {
        var count = 0
        for trial in history.trials where isFinished(trial) { count += 1 }
        return count
    }

    static func isFinished(_ trial: TrialSnapshot) -> Bool {
        (trial.state == .completed || trial.state == .pruned) && (trial.value?.isFinite ?? false)
    }

    /// The number of good trials among `n` finished ones.
    static func goodCount(finished n: Int, gamma: Double, cap: Int) -> Int {
        guard n > 0 else { return 0 }
        return min(max(Int((gamma * Double(n)).rounded(.up)), 1), cap, n)
    }

    init(history: TrialHistory, gamma: Double, constantLiar: Bool, maxGood: Int = 25, maxBad: Int = 1000) {
        let direction = history.objective.direction
        let trials = history.trials
        let n = Self.finishedCount(history)
        let wanted = Self.goodCount(finished: n, gamma: gamma, cap: maxGood)
        // Partial selection: keep the `wanted` best (loss, index) pairs in a small sorted buffer.
        var best: [(loss: Double, index: Int)] = []
        best.reserveCapacity(wanted + 1)
        if wanted > 0 {
            for (index, trial) in trials.enumerated() where Self.isFinished(trial) {
                let loss = direction.loss(trial.value ?? .infinity)
                if best.count == wanted, let last = best.last, !(loss < last.loss) { continue }
                var position = best.count
                while position > 0 && loss < best[position - 1].loss { position -= 1 }
                best.insert((loss, index), at: position)
                if best.count > wanted { best.removeLast() }
            }
        }
        good = best.map(\.index).sorted()
        var isGood = Set(good)
        var others: [Int] = []
        others.reserveCapacity(max(n - good.count, 0))
        for (index, trial) in trials.enumerated() {
            if Self.isFinished(trial) {
                if !isGood.contains(index) { others.append(index) }
            } else if constantLiar && trial.state == .running {
                others.append(index)
            }
        }
        isGood.removeAll()
        let total = others.count
        let chosen: [Int]
        if total > maxBad {
            // An even spread over the history, always ending with the newest.
            chosen = (0..<maxBad).map { k in (total - 1) - Int(Double(maxBad - 1 - k) * Double(total - 1) / Double(maxBad - 1)) }
        } else {
            chosen = Array(0..<total)
        }
        bad = chosen.map { others[$0] }
        badWeights = chosen.map { Self.rampWeight(position: $0, count: total) }
    }

    /// Optuna's default weights: 1 for the newest 25 of `count`, and a linear ramp from `1/count` up to 1 before them.
    static func rampWeight(position: Int, count: Int) -> Double {
        let flat = 25
        guard count >= flat else { return 1 }
        let ramped = count - flat
        guard position < ramped else { return 1 }
        if ramped == 1 { return 1 / Double(count) }
        let start = 1 / Double(count)
        return start + (1 - start) * Double(position) / Double(ramped - 1)
    }
}
