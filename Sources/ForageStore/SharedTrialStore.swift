import ForageCore
import Foundation

/// A store that many processes, on many machines, work one experiment through at once: a **driver** (one at a
/// time, elected by the store) proposes trials into a queue, and **workers** claim queued trials, run them and
/// record their results themselves (DESIGN §10). The PostgreSQL store is one.
///
/// An implementation must guarantee:
/// - **one driver**: `driverLock` is held by at most one process per experiment at a time, and is released when that
///   process dies (its connection closes), so another can take the role over;
/// - `takeOverDriving` raises the experiment's epoch (fencing every earlier driver's queued writes) without touching
///   trials that are queued or running: their workers go on;
/// - `queueTrials` is fenced by the driver's lease and, in the same transaction, never lets the trials counted
///   towards the budget (finished, running, queued) exceed `budget`: it inserts only as many as fit and returns them;
/// - a claim moves a queued trial to `running` for exactly one worker (`FOR UPDATE SKIP LOCKED` or equivalent), with
///   a lease that ends `leaseSeconds` later **by the store's clock**;
/// - reports and finishes of a claim are applied only while the trial is still `running` under that claim (token
///   and attempt): a claim the driver expired (`lost-worker`) or a worker released changes nothing afterwards;
/// - `expireClaims` fails (as `lost-worker`, re-queued) exactly the running trials whose lease has ended by the
///   store's clock, fenced by the driver's lease.
public protocol SharedTrialStore: ExperimentStore {
    /// Tries to take the driver's lock of experiment `id` without waiting: nil when another process holds it.
    func driverLock(experiment id: Int64) async throws -> (any DriverLock)?
    /// Makes `owner` the experiment's driver (its epoch raised); called only while holding its `driverLock`.
    func takeOverDriving(_ name: String, owner: OwnerIdentity) async throws -> (ExperimentRecord, OwnerLease)
    /// Marks an experiment as worked on by store workers (`forage run --shared`).
    func markShared(_ lease: OwnerLease, leaseSeconds: Double) async throws
    /// Running experiments marked shared, oldest first.
    func sharedExperiments() async throws -> [ExperimentRecord]
    /// How the experiment's queue stands now (one consistent read).
    func queueState(experiment id: Int64) async throws -> QueueState
    /// Queues new trials (see the type's guarantees); returns those inserted.
    func queueTrials(_ lease: OwnerLease, _ trials: [TrialStart], budget: Int) async throws -> [TrialStart]
    /// Fails the running trials whose claim lease has ended (`lost-worker`, re-queued); returns their numbers.
    func expireClaims(_ lease: OwnerLease) async throws -> [Int]
    /// Removes the trials still queued (the run is over); fenced by the driver's lease.
    func dropQueued(_ lease: OwnerLease) async throws

    /// Claims up to `max` queued trials of experiment `id` for `claim`'s worker.
    func claimTrials(experiment id: Int64, claim: ClaimIdentity, max: Int, leaseSeconds: Double) async throws -> [ClaimedTrial]
    /// Renews the leases of claimed trials; returns the numbers of those no longer held.
    func renewClaims(experiment id: Int64, claim: ClaimIdentity, trials: [Int], leaseSeconds: Double) async throws -> [Int]
    /// Records intermediate values of a claimed trial; false when the claim is no longer held.
    func reportClaimed(experiment id: Int64, claim: ClaimIdentity, trial number: Int, step: Int, values: [String: Double]) async throws -> Bool
    /// Records a scheduler decision on a claimed trial (queued, unawaited).
    func recordClaimedDecision(experiment id: Int64, trial number: Int, decision: SchedulerDecision)
    /// Finishes claimed trials in one transaction, each with the intermediate reports it buffered (`reports`, by
    /// trial number); returns, for each, whether it was recorded (false: the claim was no longer held and nothing
    /// changed, its reports included).
    func finishClaimed(experiment id: Int64, claim: ClaimIdentity, _ finishes: [TrialFinish], reports: [Int: [MetricReport]]) async throws -> [Bool]
    /// Hands claimed trials that never started back to the queue.
    func releaseClaims(experiment id: Int64, claim: ClaimIdentity, trials: [Int]) async throws
}

/// A held driver lock; `release()` gives it up (dropping the value without releasing keeps it until the process ends).
public protocol DriverLock: Sendable {
    func release() async
}

/// The worker a claim belongs to: its stored name and a token unique to the process.
public struct ClaimIdentity: Sendable, Equatable {
    public var worker: String
    public var token: String

    public init(worker: String, token: String = UUID().uuidString.lowercased()) {
        self.worker = worker
        self.token = token
    }
}

/// A queued trial a worker has claimed.
public struct ClaimedTrial: Sendable, Equatable {
    public var number: Int
    public var draw: Int
    public var params: ParameterSet
    public var attempt: Int

    public init(number: Int, draw: Int, params: ParameterSet, attempt: Int) {
        self.number = number
        self.draw = draw
        self.params = params
        self.attempt = attempt
    }
}

/// An experiment's queue at one instant.
public struct QueueState: Sendable, Equatable {
    /// Trials counted towards the budget (completed, pruned, failed and not re-queued).
    public var finished: Int
    public var failed: Int
    public var running: Int
    public var queued: Int
    /// The experiment's state as stored (`running` while some driver works it).
    public var state: String
    /// The claim lease the experiment was started with (`forage run --shared --lease-timeout`), or nil.
    public var claimLease: Double?

    public init(finished: Int, failed: Int, running: Int, queued: Int, state: String, claimLease: Double? = nil) {
        self.claimLease = claimLease
        self.finished = finished
        self.failed = failed
        self.running = running
        self.queued = queued
        self.state = state
    }
}
