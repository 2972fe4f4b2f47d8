import ForageCore
import Foundation

/// An exact parameter set queued to run before any sampled trial (`forage enqueue`, a spec's `enqueue:` list).
///
/// Taken once: the engine's `startTrial` of the trial that runs it marks it with that trial's number in the same
/// transaction as the trial's row, so after any crash it is either still pending or belongs to exactly one trial
/// (whose interrupted attempt `resume` retries like any other).
public struct EnqueuedParameters: Sendable, Equatable {
    /// Its id in the store's queue (increasing in enqueue order).
    public var id: Int64
    public var params: ParameterSet
    /// The trial that runs it, or nil while pending.
    public var trial: Int?

    public init(id: Int64, params: ParameterSet, trial: Int? = nil) {
        self.id = id
        self.params = params
        self.trial = trial
    }
}
