import ForageCore
import Foundation

/// The owner's side of an experiment store: create or take over an experiment, then record its trials.
///
/// An implementation must guarantee:
/// - **commit, then tell**: an awaited write returns only once it is durable; a queued write (`startTrial`,
///   `submitReport`, `recordDecision`) commits before any write queued after it, and if it fails, the next awaited
///   write (or `flush`) throws its error;
/// - **fencing**: every write names an `OwnerLease` and is applied only while the experiment's epoch is the
///   lease's, checked in the same transaction; otherwise it changes nothing and throws `StoreError.lostOwnership`
///   naming the new owner;
/// - a trial is finished only while it is `running` with the finishing attempt; any other finish changes nothing;
/// - `acquire` refuses an experiment whose owner may be alive (`RecordedOwner.mayBeAlive`) unless forced, and takes
///   it over in one transaction: the epoch is raised, trials left running are failed (`interrupted`) and re-queued;
/// - `heartbeat` renews the lease and verifies the store is still the one the process opened (the file was not
///   removed or replaced); any failure there is thrown, never swallowed.
public protocol ExperimentStore: ExperimentReader {
    /// Creates the experiment from `spec` and makes `owner` its owner (epoch 1), with the spec's `enqueue:` list
    /// queued, in one transaction; refuses a name that exists.
    func createExperiment(_ spec: ExperimentSpec, specPath: String?, data: DataInfo?, owner: OwnerIdentity) async throws
        -> (ExperimentRecord, OwnerLease)
    /// Takes ownership of an existing experiment for `resume` (see the type's guarantees). With `force`, a live
    /// owner is fenced out too.
    func acquire(_ name: String, owner: OwnerIdentity, force: Bool) async throws -> (ExperimentRecord, OwnerLease)
    /// What a run continues from: counters, re-queued attempts, the best trial, and as much history as `need` asks.
    func resumePoint(_ experiment: ExperimentRecord, need: HistoryNeed) async throws -> ResumePoint

    /// Queues exact parameter sets to run before any sampled trial of the experiment, durable before it returns,
    /// and returns them with their ids. Not fenced: any process may enqueue, also while an owner runs the experiment
    /// (the parameters are the caller's to check against the space). `createExperiment` queues the spec's
    /// `enqueue:` list itself, in its own transaction.
    func enqueue(_ experiment: ExperimentRecord, _ params: [ParameterSet]) async throws -> [EnqueuedParameters]

    /// Records a trial as running (queued write); with `trial.enqueued`, marks that queued parameter set as taken
    /// by this trial in the same transaction.
    func startTrial(_ lease: OwnerLease, _ trial: TrialStart)
    /// Queues intermediate values (queued write).
    func submitReport(_ lease: OwnerLease, trial number: Int, step: Int, values: [String: Double])
    /// Records intermediate values and returns once they are durable (a scheduler is about to judge them).
    func commitReport(_ lease: OwnerLease, trial number: Int, step: Int, values: [String: Double]) async throws
    /// Records a scheduler decision with its reason (queued write).
    func recordDecision(_ lease: OwnerLease, trial number: Int, decision: SchedulerDecision)
    /// Records a trial's final state and metrics; returns once it (and everything queued before it) is durable.
    func finishTrial(_ lease: OwnerLease, _ finish: TrialFinish) async throws
    /// Records several trials' final states in one transaction.
    func finishTrials(_ lease: OwnerLease, _ finishes: [TrialFinish]) async throws
    /// Renews the ownership lease and checks the store's health (see the type's guarantees).
    func heartbeat(_ lease: OwnerLease) async throws
    /// Sets the total trial budget and the parallelism in use.
    func updateBudget(_ lease: OwnerLease, trials: Int, parallel: Int) async throws
    /// Sets the experiment's final or paused state and releases ownership; durable before it returns.
    func close(_ lease: OwnerLease, state: ExperimentState, message: String?) async throws
    /// Returns once every write queued so far is durable (or throws the first error among them).
    func flush() async throws
    /// Records a new version of the experiment's data (`resume --allow-data-change`): the earlier versions are
    /// kept, and trials started from now on record this one.
    func recordDataVersion(_ lease: OwnerLease, _ data: DataInfo) async throws -> ExperimentRecord

    /// Deletes an experiment with its trials, metrics and decisions (and its trial folders); refuses one whose
    /// owner may be alive. Registry versions promoted from it keep their lineage and blobs.
    func deleteExperiment(named name: String) async throws
    /// Renames an experiment (and moves its trial folders); refuses a name in use or an experiment being run.
    func renameExperiment(_ name: String, to newName: String) async throws
    /// Sets (or with a nil value removes) tags of an experiment.
    func tagExperiment(_ name: String, _ changes: [String: String?]) async throws -> ExperimentRecord
}

/// A failed attempt that was re-queued and still waits for its retry.
public struct RequeuedAttempt: Sendable, Equatable {
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

/// Where a run of an experiment starts from, loaded from the store with a cost that follows the sampler's and
/// scheduler's needs, not the number of trials.
public struct ResumePoint: Sendable {
    /// The trials the sampler and scheduler see (empty when they need none).
    public var history: TrialHistory
    /// The next trial number and sampler draw to use.
    public var nextNumber: Int
    public var nextDraw: Int
    /// Trials counted towards the budget, and how many of them failed.
    public var done: Int
    public var failed: Int
    /// Re-queued attempts waiting for their retry, oldest first.
    public var retries: [RequeuedAttempt]
    /// The best completed trial so far.
    public var best: (number: Int, value: Double)?

    public init(
        history: TrialHistory, nextNumber: Int, nextDraw: Int, done: Int, failed: Int, retries: [RequeuedAttempt],
        best: (number: Int, value: Double)?
    ) {
        self.history = history
        self.nextNumber = nextNumber
        self.nextDraw = nextDraw
        self.done = done
        self.failed = failed
        self.retries = retries
        self.best = best
    }
}
