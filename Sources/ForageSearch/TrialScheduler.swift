import ForageCore

/// Judges a running trial after each intermediate report: continue, or stop it early.
///
/// Like a sampler, a scheduler is stateless: its decision is a function of the history (which already holds the
/// report being judged), so a resumed run or a restarted coordinator decides exactly as before.
public protocol TrialScheduler: Sendable {
    /// Whether intermediate reports must be committed and judged one by one. `none` returns false, which lets the
    /// engine stream reports to the store in batches.
    var judgesReports: Bool { get }

    /// The decision for trial `number`, which has just reported `value` of the objective at `step`.
    func decide(trial number: Int, step: Int, value: Double, history: TrialHistory) -> SchedulerDecision

    /// How much of the history `decide` reads; the engine loads and keeps only that.
    var historyNeed: HistoryNeed { get }
}

extension TrialScheduler {
    /// A scheduler that judges reports reads learning curves; one that does not reads nothing.
    public var historyNeed: HistoryNeed { judgesReports ? .curves : .none }
}

/// Builds the scheduler a spec names.
public enum SchedulerFactory {
    /// The scheduler `spec` names; throws a `SchedulerError` naming the option when the options do not fit together.
    public static func make(_ spec: SchedulerSpec) throws -> any TrialScheduler {
        switch spec.algorithm {
        case .none:
            return NoScheduler()
        case .median:
            guard spec.startupTrials >= 0 else {
                throw SchedulerError("scheduler median: startup_trials must be 0 or more (got \(spec.startupTrials))")
            }
            guard spec.warmupSteps >= 0 else {
                throw SchedulerError("scheduler median: warmup_steps must be 0 or more (got \(spec.warmupSteps))")
            }
            return MedianScheduler(startupTrials: spec.startupTrials, warmupSteps: spec.warmupSteps)
        case .asha:
            try validateResources(spec)
            return ASHAScheduler(minResource: spec.minResource, maxResource: spec.maxResource, reduction: spec.reduction)
        case .hyperband:
            try validateResources(spec)
            let fit = HyperbandScheduler.bracketsThatFit(
                minResource: spec.minResource, maxResource: spec.maxResource, reduction: spec.reduction)
            if let brackets = spec.brackets, brackets < 1 || brackets > fit {
                throw SchedulerError(
                    "scheduler hyperband: brackets must be between 1 and \(fit) for min \(spec.minResource), "
                        + "max \(spec.maxResource) and reduction \(spec.reduction) (got \(brackets))")
            }
            return HyperbandScheduler(
                minResource: spec.minResource, maxResource: spec.maxResource, reduction: spec.reduction, brackets: spec.brackets)
        }
    }

    private static func validateResources(_ spec: SchedulerSpec) throws {
        let name = "scheduler \(spec.algorithm.rawValue)"
        guard spec.minResource >= 1 else { throw SchedulerError("\(name): min must be at least 1 (got \(spec.minResource))") }
        guard spec.minResource < spec.maxResource else {
            throw SchedulerError("\(name): min (\(spec.minResource)) must be less than max (\(spec.maxResource))")
        }
        guard spec.reduction >= 2 else {
            throw SchedulerError("\(name): reduction must be at least 2 (got \(spec.reduction))")
        }
    }
}
