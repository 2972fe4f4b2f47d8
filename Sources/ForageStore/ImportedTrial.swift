import ForageCore
import Foundation

/// A finished (or unfinished) trial read from another tool's storage (an Optuna study), to be recorded in a new
/// Forage experiment by `forage import`.
public struct ImportedTrial: Sendable, Equatable {
    public var number: Int
    /// completed, pruned or failed; a trial the other tool left running or waiting is `failed` and re-queued.
    public var state: TrialState
    public var requeued: Bool
    public var params: ParameterSet
    public var value: Double?
    /// Final metrics (the objective among them when the trial completed).
    public var metrics: [String: Double]
    /// Intermediate values of the objective, by step.
    public var curve: [CurvePoint]
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        number: Int, state: TrialState, requeued: Bool = false, params: ParameterSet, value: Double?, metrics: [String: Double],
        curve: [CurvePoint], startedAt: Date?, finishedAt: Date?
    ) {
        self.number = number
        self.state = state
        self.requeued = requeued
        self.params = params
        self.value = value
        self.metrics = metrics
        self.curve = curve
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
