import ForageCore

/// Lets every trial run to the end (`scheduler: none`).
public struct NoScheduler: TrialScheduler {
    public init() {}

    public var judgesReports: Bool { false }

    public func decide(trial number: Int, step: Int, value: Double, history: TrialHistory) -> SchedulerDecision {
        .proceed(step: step, value: value)
    }
}
