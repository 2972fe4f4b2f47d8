import ForageCore
import ForageExecutor
import ForageStore
import Foundation

/// How one `run` or `resume` should go, beyond what the spec says.
public struct RunOptions: Sendable {
    /// Overrides `budget.trials` (the experiment's total).
    public var trials: Int?
    /// Overrides `budget.parallel`.
    public var parallel: Int?
    /// Called on the engine's executor after each trial is committed (for the CLI's progress output).
    public var progress: (@Sendable (ProgressEvent) -> Void)?
    /// Seconds between ownership heartbeats.
    public var heartbeatInterval: Double = 3
    /// Set to let remote workers lease trials (a coordinator); `parallel` may then be 0.
    public var remote: RemoteOptions?
    /// The store holding `warm_start.experiment` when it names another store (`warm_start.store`); nil: the run's own.
    public var warmStartStore: (any ExperimentReader)?
    /// The instant `budget.time` counts from (`forage run` sets its process's start, so starting and loading the
    /// data count); nil: the engine's start.
    public var timeOrigin: ContinuousClock.Instant?
    /// With `budget.time`: the seconds the refit after the search will take, given the best trial's wall seconds.
    /// The engine then stops starting (and cuts) trials that much before the budget's end, so the refit fits in it.
    public var refitEstimate: (@Sendable (_ bestTrialSeconds: Double) -> Double)?

    public init(trials: Int? = nil, parallel: Int? = nil, progress: (@Sendable (ProgressEvent) -> Void)? = nil) {
        self.trials = trials
        self.parallel = parallel
        self.progress = progress
    }
}

/// A trial just committed, with the run's counters: what the CLI prints as progress.
public struct ProgressEvent: Sendable {
    public var experiment: String
    public var trial: Int
    public var state: TrialState
    public var value: Double?
    public var reason: FailureReason?
    public var message: String?
    public var params: ParameterSet
    /// Trials counted towards the budget so far, and the budget.
    public var done: Int
    public var total: Int
    public var running: Int
    public var failed: Int
    public var best: Double?
    public var bestTrial: Int?
    public var elapsed: Double
    /// Trials finished in this run (for the ETA).
    public var doneThisRun: Int
}

/// How a run ended.
public struct RunSummary: Sendable {
    public var experiment: String
    public var state: String
    public var message: String?
    public var done: Int
    public var total: Int
    public var failed: Int
    public var bestTrial: Int?
    public var best: Double?
    public var elapsed: Double
    /// True when the run ended on an error the user must see (max_failures, or no trial completed): the CLI exits non-zero.
    public var isError: Bool
}
