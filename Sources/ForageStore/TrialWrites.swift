import ForageCore
import Foundation

/// A trial's final state as the engine hands it to the store.
public struct TrialFinish: Sendable {
    public var number: Int
    /// The attempt being finished: the store finishes the trial only while it is `running` with this attempt, so a
    /// late or repeated finish of an attempt that was already ended (interrupted, lost) changes nothing.
    public var attempt: Int
    public var state: TrialState
    public var value: Double?
    /// Every objective's value, in objective order, for a completed trial of a multi-objective experiment.
    public var values: [Double]? = nil
    /// Total constraint violation (0 = feasible) of a completed trial of a constrained experiment.
    public var violation: Double? = nil
    public var metrics: [String: Double]
    public var reason: FailureReason?
    public var message: String?
    /// The failed attempt will be retried with the same parameters (it does not count towards the budget).
    public var requeued: Bool
    public var lastStep: Int?
    public var finishedAt: Date

    public init(
        number: Int, attempt: Int = 1, state: TrialState, value: Double?, metrics: [String: Double], reason: FailureReason? = nil,
        message: String? = nil, requeued: Bool = false, lastStep: Int? = nil, finishedAt: Date = Date()
    ) {
        self.number = number
        self.attempt = attempt
        self.state = state
        self.value = value
        self.metrics = metrics
        self.reason = reason
        self.message = message
        self.requeued = requeued
        self.lastStep = lastStep
        self.finishedAt = finishedAt
    }
}

/// A new trial as the engine hands it to the store when it starts.
public struct TrialStart: Sendable {
    public var number: Int
    public var draw: Int
    public var params: ParameterSet
    public var attempt: Int
    public var retryOf: Int?
    public var worker: String?
    /// The experiment's data version the attempt trains on (1-based), or nil without data.
    public var dataVersion: Int?
    public var startedAt: Date
    /// The queued parameter set this trial runs (`EnqueuedParameters.id`), or nil for a sampled or retried trial.
    public var enqueued: Int64?

    public init(
        number: Int, draw: Int, params: ParameterSet, attempt: Int = 1, retryOf: Int? = nil, worker: String? = nil, dataVersion: Int? = nil,
        startedAt: Date = Date(), enqueued: Int64? = nil
    ) {
        self.enqueued = enqueued
        self.dataVersion = dataVersion
        self.number = number
        self.draw = draw
        self.params = params
        self.attempt = attempt
        self.retryOf = retryOf
        self.worker = worker
        self.startedAt = startedAt
    }
}
