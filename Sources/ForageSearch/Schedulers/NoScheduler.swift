import ForageCore

/// Lets every trial run to the end (`scheduler: none`).
public struct NoScheduler: TrialScheduler {
    public init() {}

    public var judgesReports: Bool { false }

    public func decide(trial number: Int, step: Int, value: Double, history: TrialHistory) -> SchedulerDecision {
        .proceed(step: step, value: value)
    }
}

extension NoScheduler {
    /// `scheduler: {algorithm: none}`.
    public static let entry = SchedulerEntry(name: "none", summary: "every trial runs to its end") { _ in NoScheduler() }
}
