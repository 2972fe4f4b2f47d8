import ForageCore
import Foundation

/// How the engine hands trials to remote workers (`forage run --listen`): set in `RunOptions.remote`.
public struct RemoteOptions: Sendable {
    /// Seconds a lease lives without a renewal, a report or a finish; then the attempt fails as `lost-worker`.
    public var leaseTimeout: Double

    public init(leaseTimeout: Double = 30) {
        self.leaseTimeout = leaseTimeout
    }
}

/// One trial attempt leased to a remote worker: what the worker must run, and the lease it must name in every call.
public struct RemoteGrant: Sendable {
    /// The lease id: random, never reused, so a call from an earlier lease (or an earlier coordinator) is refused.
    public var lease: String
    public var trial: Int
    public var attempt: Int
    public var params: ParameterSet
    /// Seconds the worker has between renewals.
    public var leaseTimeout: Double
    /// Whether each intermediate report waits for a scheduler decision (otherwise reports may be batched).
    public var judgesReports: Bool
}

/// The engine's answer to a worker asking for work.
public enum LeaseAnswer: Sendable {
    /// Run these attempts.
    case granted([RemoteGrant])
    /// Nothing to run right now (the budget is taken by running trials); ask again after this many seconds.
    case wait(Double)
    /// The run is over (finished, stopped or interrupted): nothing more will be leased.
    case finished(String)
}

/// What the engine says of a finish it has been sent.
public enum FinishReceipt: Sendable, Equatable {
    /// Committed now.
    case recorded
    /// This lease's result was already committed (a retry after a lost reply); nothing changed.
    case duplicate
}

/// A call a remote worker made that the engine refuses.
public enum RemoteCallError: Error, CustomStringConvertible, Equatable {
    /// The lease expired, was superseded, belongs to an earlier coordinator, or never existed (HTTP 409).
    case leaseNotHeld(String)
    /// The call itself makes no sense (HTTP 400).
    case invalid(String)

    public var description: String {
        switch self {
        case .leaseNotHeld(let lease):
            return "lease \(lease) is not held: it expired, its attempt was failed and re-queued, or it belongs to an earlier coordinator"
        case .invalid(let message): return message
        }
    }
}

/// A lease the engine has granted and not yet seen finished.
struct HeldLease: Sendable {
    var id: String
    var job: TrialJob
    var worker: String
    var deadline: ContinuousClock.Instant
}

/// The leases of a run: the ones held, and the finishes already committed (for idempotent retries).
struct LeaseBook: Sendable {
    var held: [String: HeldLease] = [:]
    /// Finishes in commit or committed, by lease id; the oldest are forgotten past `rememberedFinishes`.
    var finishes: [String: Task<Void, any Error>] = [:]
    var finishOrder: [String] = []
    static let rememberedFinishes = 8192

    mutating func remember(_ lease: String, _ commit: Task<Void, any Error>) {
        finishes[lease] = commit
        finishOrder.append(lease)
        if finishOrder.count > Self.rememberedFinishes * 2 {
            for old in finishOrder.prefix(Self.rememberedFinishes) { finishes[old] = nil }
            finishOrder.removeFirst(Self.rememberedFinishes)
        }
    }

    /// Leases whose deadline has passed.
    func expired(at now: ContinuousClock.Instant) -> [HeldLease] {
        held.values.filter { $0.deadline < now }.sorted { $0.job.number < $1.job.number }
    }
}
