import ForageCore
import Foundation

/// One trial as reports and the dashboard plot it: only the columns a plot needs, read in one pass.
public struct TrialPoint: Sendable, Equatable {
    public var number: Int
    public var state: TrialState
    /// The objective (completed trials), or the last intermediate objective value (pruned trials); nil otherwise.
    public var value: Double?
    public var params: ParameterSet
    public var reason: FailureReason?
    public var lastStep: Int?
    /// True for a failed attempt that was re-queued (its retry counts instead).
    public var requeued: Bool

    public init(
        number: Int, state: TrialState, value: Double?, params: ParameterSet, reason: FailureReason? = nil, lastStep: Int? = nil,
        requeued: Bool = false
    ) {
        self.number = number
        self.state = state
        self.value = value
        self.params = params
        self.reason = reason
        self.lastStep = lastStep
        self.requeued = requeued
    }
}

/// One step of a trial's learning curve.
public struct CurvePoint: Sendable, Equatable {
    public var step: Int
    public var value: Double

    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}
