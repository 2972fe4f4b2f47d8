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
}

/// Builds the scheduler a spec names.
public enum SchedulerFactory {
    public static func make(_ spec: SchedulerSpec) throws -> any TrialScheduler {
        switch spec.algorithm {
        case .none: return NoScheduler()
        case .median, .asha, .hyperband: throw SamplerError("scheduler '\(spec.algorithm.rawValue)' is being built")
        }
    }
}
