import ForageCore
import Foundation

/// The store side of ask/tell (`trial: {external: true}`): each `forage ask` or `forage tell` is a short-lived
/// owner of the experiment, and the trials it hands out stay `running` between those processes.
///
/// Additive to `ExperimentStore`: a backend that does not adopt it refuses ask/tell with a clear error. An
/// implementation must guarantee, besides `ExperimentStore`'s rules:
/// - `acquireExternal` takes ownership like `acquire` (a live owner is refused; the epoch is raised; `queued`
///   trials are failed as `interrupted` and re-queued) but leaves `running` trials running, except those whose last
///   start or renewal is older than `leaseTimeout` seconds by the store's clock: those are failed as `lost-worker`
///   and re-queued, in the same transaction. It returns the trials left running;
/// - `renewTrial` (a queued write, fenced like the others) records "now" as the running attempt's last renewal,
///   and changes nothing for a trial that is not `running` with that attempt.
public protocol ExternalTrialStore: ExperimentStore {
    func acquireExternal(_ name: String, owner: OwnerIdentity, leaseTimeout: Double) async throws
        -> (ExperimentRecord, OwnerLease, [ExternalTrial])
    func renewTrial(_ lease: OwnerLease, trial number: Int, attempt: Int)
}

/// A trial handed out by `forage ask` and not yet told finished.
public struct ExternalTrial: Sendable, Equatable {
    public var number: Int
    public var draw: Int
    public var params: ParameterSet
    public var attempt: Int
    public var retryOf: Int?
    /// Its start or last renewal, whichever is later.
    public var lastActive: Date

    public init(number: Int, draw: Int, params: ParameterSet, attempt: Int, retryOf: Int?, lastActive: Date) {
        self.number = number
        self.draw = draw
        self.params = params
        self.attempt = attempt
        self.retryOf = retryOf
        self.lastActive = lastActive
    }
}
