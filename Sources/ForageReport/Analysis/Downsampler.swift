import ForageCore
import ForageStore
import Foundation

/// Thins a long run for plotting while keeping its shape: the trials are cut into buckets by number, and each
/// bucket keeps its lowest and highest value per state (completed, pruned) and its first failed trial. Every trial
/// that improved the best-so-far is kept too. 400 buckets give at most about 2 000 points.
public enum Downsampler {
    /// The trials to draw, by number; all of them when there are at most `limit`.
    public static func history(_ trials: [TrialPoint], direction: Direction, limit: Int = 2000, buckets: Int = 400) -> [TrialPoint] {
        guard trials.count > limit else { return trials }
        var keep = Set<Int>()
        var best: Double?
        for trial in trials where trial.state == .completed {
            guard let value = trial.value, value.isFinite else { continue }
            if best.map({ direction.isBetter(value, than: $0) }) ?? true {
                best = value
                keep.insert(trial.number)
            }
        }
        let size = max(1, (trials.count + buckets - 1) / buckets)
        for start in stride(from: 0, to: trials.count, by: size) {
            let bucket = trials[start..<min(start + size, trials.count)]
            for state in [TrialState.completed, .pruned] {
                let valued = bucket.filter { $0.state == state && ($0.value?.isFinite ?? false) }
                if let low = valued.min(by: { ($0.value ?? 0) < ($1.value ?? 0) }) { keep.insert(low.number) }
                if let high = valued.max(by: { ($0.value ?? 0) < ($1.value ?? 0) }) { keep.insert(high.number) }
            }
            if let failed = bucket.first(where: { $0.state == .failed }) { keep.insert(failed.number) }
        }
        return trials.filter { keep.contains($0.number) }
    }

    /// Up to `limit` completed trials for parallel coordinates: the best quarter of the budget, then an even spread.
    public static func lines(_ trials: [TrialPoint], direction: Direction, limit: Int = 1000) -> [TrialPoint] {
        let completed = trials.filter { $0.state == .completed && ($0.value?.isFinite ?? false) }
        guard completed.count > limit else { return completed }
        let ranked = completed.sorted { direction.isBetter($0.value ?? 0, than: $1.value ?? 0) }
        let best = ranked.prefix(limit / 4)
        let rest = Array(ranked.dropFirst(limit / 4))
        return Array(best) + CurveSelection.evenly(rest, count: limit - best.count)
    }
}
