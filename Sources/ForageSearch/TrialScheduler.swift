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
