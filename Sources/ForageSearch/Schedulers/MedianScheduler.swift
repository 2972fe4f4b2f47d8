import Foundation
import ForageCore

/// Median stopping rule (`scheduler: median`): stop a trial whose value at step `s` is worse than the median of the
/// other completed trials' values at that step.
///
/// Each completed trial contributes its intermediate value at the largest step ≤ `s` it reported (its learning
/// curve "as of" step `s`; trials that had not reported by step `s` are left out). The judged trial is compared by
/// the value it just reported, not its best so far. Like Optuna's `MedianPruner`, only completed trials count,
/// nothing is stopped before `startupTrials` trials have completed, and no trial is stopped at a step below
/// `warmupSteps`.
public struct MedianScheduler: TrialScheduler {
    public let startupTrials: Int
    public let warmupSteps: Int

    public init(startupTrials: Int, warmupSteps: Int) {
        self.startupTrials = startupTrials
        self.warmupSteps = warmupSteps
    }

    public var judgesReports: Bool { true }

    public func decide(trial number: Int, step: Int, value: Double, history: TrialHistory) -> SchedulerDecision {
        guard step >= warmupSteps, !value.isNaN else { return .proceed(step: step, value: value) }
        var completed = 0
        var others: [Double] = []
        for trial in history.trials where trial.state == .completed && trial.number != number {
            completed += 1
            if let latest = Self.value(of: trial, asOf: step), latest.isFinite { others.append(latest) }
        }
        guard completed >= startupTrials, !others.isEmpty else { return .proceed(step: step, value: value) }
        let median = Self.median(others)
        let direction = history.objective.direction
        if direction.isBetter(median, than: value) {
            let reason = "value \(format(value)) at step \(step) is worse than the median \(format(median)) "
                + "of \(others.count) completed trials at that step"
            return SchedulerDecision(action: .stop, reason: reason, cutoff: median, step: step, value: value)
        }
        return SchedulerDecision(action: .continue, cutoff: median, step: step, value: value)
    }

    /// A trial's intermediate value at the largest step ≤ `step`, if it reported one.
    static func value(of trial: TrialSnapshot, asOf step: Int) -> Double? {
        var bestStep = Int.min
        var found: Double?
        for (s, v) in trial.intermediate where s <= step && s > bestStep {
            bestStep = s
            found = v
        }
        return found
    }

    /// The median (mean of the two middle values for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// A short, stable rendering of a number for decision reasons (six significant digits).
func format(_ value: Double) -> String {
    String(format: "%.6g", value)
}

extension MedianScheduler {
    /// `scheduler: {algorithm: median, n_startup, n_warmup}`.
    public static let entry = SchedulerEntry(
        name: "median", summary: "stop a trial worse than the median of completed trials at the same step",
        options: [
            .int("n_startup", min: 1, "completed trials before any is stopped (default 5)"),
            .int("n_warmup", min: 0, "steps a trial runs before it can be stopped (default 0)"),
        ]
    ) { context in
        MedianScheduler(startupTrials: context.options.int("n_startup", default: 5), warmupSteps: context.options.int("n_warmup", default: 0))
    }
}
