import Foundation
import ForageCore

/// The finished trials a TPE suggestion learns from, split into "good" (the best `γ` fraction, at most 25) and
/// "bad" (the rest, plus running trials under the constant liar), with the weights of the bad ones.
///
/// The work is bounded whatever the history's length: one pass over the trials, a partial selection of the best
/// few, and at most `maxBad` bad trials (evenly spread over the history when there are more, always including the
/// newest) — `maxBadLarge` of them once more than `largeHistory` trials have finished — so a suggestion costs less
/// at 10 000 trials than at 1 000.
struct TPESplit {
    /// Indices into `history.trials` of the good trials.
    var good: [Int] = []
    /// The rank (0 = best) of each of `good`.
    var goodRanks: [Int] = []
    /// Indices into `history.trials` of the bad trials (a bounded subset), oldest first.
    var bad: [Int] = []
    /// Weights of `bad`: Optuna's ramp, where trials older than the newest 25 count linearly less.
    var badWeights: [Double] = []

    /// The number of good trials among `n` finished ones.
    static func goodCount(finished n: Int, gamma: Double, cap: Int) -> Int {
        guard n > 0 else { return 0 }
        return min(max(Int((gamma * Double(n)).rounded(.up)), 1), cap, n)
    }

    /// Finished trials seen.
    var finished = 0

    /// `cache` speeds up the multi-objective and constrained ranking between suggestions (same result without it).
    init(
        history: TrialHistory, gamma: Double, constantLiar: Bool, maxGood: Int = 25, maxBad: Int = 500,
        largeHistory: Int = 1_000, maxBadLarge: Int = 100, cache: LeadingFrontCache? = nil
    ) {
        let direction = history.objective.direction
        let trials = history.trials
        // One pass: the losses of finished trials, and the candidates for the bad set (running ones included).
        var losses: [Double] = []
        var finishedIndices: [Int] = []
        var others: [Int] = []
        losses.reserveCapacity(trials.count)
        finishedIndices.reserveCapacity(trials.count)
        others.reserveCapacity(trials.count)
        // (Ranking by front reads the losses itself.)
        let byFront = history.goals.ranksByFront
        var finishedCount = 0
        for index in trials.indices {
            let state = trials[index].state
            if state == .completed || state == .pruned, let value = trials[index].value, value.isFinite {
                finishedCount += 1
                if !byFront {
                    losses.append(direction.loss(value))
                    finishedIndices.append(index)
                }
                others.append(index)
            } else if constantLiar && state == .running {
                others.append(index)
            }
        }
        let n = finishedCount
        finished = n
        let wanted = Self.goodCount(finished: n, gamma: gamma, cap: maxGood)
        var best: [(loss: Double, index: Int)] = []
        if byFront {
            // Several objectives or constraints (MOTPE, constrained TPE): the good trials in rank order.
            let ranked = MultiObjectiveSplit.ranked(history: history, wanted: wanted, cache: cache)
            finished = ranked.finished
            best = ranked.order.enumerated().map { (Double($0.offset), $0.element) }
            if !ranked.excluded.isEmpty { others.removeAll { ranked.excluded.contains($0) } }
        } else {
            // Partial selection: keep the `wanted` best (loss, index) pairs in a small sorted buffer.
            best.reserveCapacity(wanted + 1)
            if wanted > 0 {
                for k in 0..<n {
                    let loss = losses[k]
                    if best.count == wanted, let last = best.last, !(loss < last.loss) { continue }
                    var position = best.count
                    while position > 0 && loss < best[position - 1].loss { position -= 1 }
                    best.insert((loss, finishedIndices[k]), at: position)
                    if best.count > wanted { best.removeLast() }
                }
            }
        }
        good = best.map(\.index).sorted()
        goodRanks = good.map { index in best.firstIndex { $0.index == index } ?? 0 }
        // `others` is in trial order and `good` sorted: remove the good ones in one merge pass.
        var remaining: [Int] = []
        remaining.reserveCapacity(others.count)
        var g = 0
        for index in others {
            while g < good.count && good[g] < index { g += 1 }
            if g < good.count && good[g] == index { continue }
            remaining.append(index)
        }
        let total = remaining.count
        let maxBad = finished > largeHistory ? min(maxBad, maxBadLarge) : maxBad
        let chosen: [Int]
        if total > maxBad {
            // An even spread over the history, always ending with the newest.
            chosen = (0..<maxBad).map { k in (total - 1) - Int(Double(maxBad - 1 - k) * Double(total - 1) / Double(maxBad - 1)) }
        } else {
            chosen = Array(0..<total)
        }
        bad = chosen.map { remaining[$0] }
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
