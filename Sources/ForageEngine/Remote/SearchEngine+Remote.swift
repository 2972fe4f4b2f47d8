import ForageCore
import ForageExecutor
import ForageSearch
import ForageStore
import Foundation

/// The engine's side of remote workers (DESIGN §8): leases with deadlines, fencing by lease id, idempotent finishes.
///
/// A remote attempt follows the local path: the same budget, retries and scheduler, and its outcome is committed
/// before the worker's call returns. A lease that is not renewed in time fails its attempt as `lost-worker` and the
/// trial is re-queued with the same parameters; every later call naming that lease is refused.
extension SearchEngine {
    /// Leases up to `max` attempts to `worker`. Each attempt's start is committed (with the worker's name) before the
    /// grant is returned.
    public func lease(worker: String, max: Int) async throws -> LeaseAnswer {
        guard remote != nil else { throw RemoteCallError.invalid("this run does not accept remote workers") }
        workersSeen.insert(worker)
        if let over = overReason { return .finished(over) }
        var grants: [RemoteGrant] = []
        let timeout = remote?.leaseTimeout ?? 30
        while grants.count < Swift.max(1, max), let job = nextJob(for: worker) {
            running += 1
            let id = UUID().uuidString.lowercased()
            leases.held[id] = HeldLease(id: id, job: job, worker: worker, deadline: .now + .milliseconds(Int64(timeout * 1000)))
            if historyNeed > .none { history.upsert(TrialSnapshot(number: job.number, state: .running, params: job.params)) }
            store.startTrial(
                lease,
                TrialStart(
                    number: job.number, draw: job.draw, params: job.params, attempt: job.attempt, retryOf: job.retryOf, worker: worker,
                    dataVersion: dataVersion, enqueued: job.enqueued))
            grants.append(
                RemoteGrant(
                    lease: id, trial: job.number, attempt: job.attempt, params: job.params, leaseTimeout: timeout,
                    judgesReports: scheduler.judgesReports))
        }
        if grants.isEmpty { return overReason.map { .finished($0) } ?? .wait(0.2) }
        try await store.flush()
        return .granted(grants)
    }

    /// Extends a lease; refused when the lease is no longer held.
    public func renew(lease id: String) throws {
        try touch(id)
    }

    /// An intermediate report from a remote attempt: committed and judged like a local one. Returns the decision.
    public func report(lease id: String, step: Int, values: [String: Double]) async throws -> SchedulerDecision.Action {
        let held = try touch(id)
        let number = held.job.number
        guard scheduler.judgesReports else {
            store.submitReport(lease, trial: number, step: step, values: values)
            return .continue
        }
        try await store.commitReport(lease, trial: number, step: step, values: values)
        guard leases.held[id] != nil else { throw RemoteCallError.leaseNotHeld(id) }
        guard let value = values[spec.objective.metric] else { return .continue }
        return judge(trial: number, step: step, value: value)
    }

    /// A worker's finish, with the reports it batched (when no scheduler judges reports). Committed before it
    /// returns; a finish sent again for the same lease (a retry after a lost reply) is answered `.duplicate`.
    public func finish(lease id: String, reports: [MetricReport], outcome: TrialOutcome) async throws -> FinishReceipt {
        try await finishAll([(id, reports, outcome)])[0].get()
    }

    /// Several finishes at once, committed in one transaction. Each is answered on its own: a lease that is not
    /// held is refused without refusing the others.
    public func finishAll(_ items: [(lease: String, reports: [MetricReport], outcome: TrialOutcome)]) async throws
        -> [Result<FinishReceipt, RemoteCallError>]
    {
        var answers = [Result<FinishReceipt, RemoteCallError>](repeating: .success(.duplicate), count: items.count)
        var accepted: [(held: HeldLease, outcome: TrialOutcome)] = []
        var repeated: [Task<Void, any Error>] = []
        for (index, item) in items.enumerated() {
            if let earlier = leases.finishes[item.lease] {
                repeated.append(earlier)
                continue
            }
            guard let held = leases.held.removeValue(forKey: item.lease) else {
                answers[index] = .failure(.leaseNotHeld(item.lease))
                continue
            }
            for report in item.reports where report.step != nil {
                store.submitReport(lease, trial: held.job.number, step: report.step ?? 0, values: report.values)
            }
            // A worker's "completed" is judged by the rule local trials follow (a NaN objective fails as nan).
            accepted.append((held, OutcomeBuilder.checked(item.outcome, objective: spec.objective)))
            answers[index] = .success(.recorded)
        }
        try await commit(accepted, fromWorker: true)
        for earlier in repeated { try await earlier.value }
        return answers
    }

    /// The trial folder where an artifact of a held lease's attempt goes (its model file, uploaded before the
    /// finish so that `promote` finds it on the coordinator). Counts as a renewal.
    public func artifactDirectory(lease id: String) throws -> URL {
        let held = try touch(id)
        return trialsDirectory.appendingPathComponent(String(held.job.number), isDirectory: true)
    }

    /// Fails every lease whose deadline passed as `lost-worker` (re-queued). Called by the run's lease watchdog.
    func expireLeases() async throws {
        let timeout = String(format: "%g", remote?.leaseTimeout ?? 0)
        let expired = leases.expired(at: .now).compactMap { leases.held.removeValue(forKey: $0.id) }
        try await commit(
            expired.map { held in
                (held, .failed(reason: .lostWorker, message: "worker \(held.worker) stopped renewing its lease (no word for \(timeout) s)", metrics: [:]))
            }, fromWorker: false)
    }

    /// Fails every held lease as `interrupted` (re-queued): the run is stopping and will not wait for workers.
    func abandonLeases(_ why: String) async throws {
        let held = leases.held.values.sorted { $0.job.number < $1.job.number }
        leases.held.removeAll()
        try await commit(held.map { ($0, .failed(reason: .interrupted, message: why, metrics: [:])) }, fromWorker: false)
    }

    /// Workers that asked for work at least once, and whether all of them have been told the run is over.
    public var remoteWorkers: (seen: Set<String>, told: Set<String>) { (workersSeen, workersTold) }

    /// Records that `worker` has been told the run is over (the coordinator may stop once all have).
    public func told(_ worker: String) {
        workersTold.insert(worker)
    }

    /// Commits the outcomes of attempts whose leases were just taken out of the book, in one transaction, then
    /// records them. A worker's own finishes are remembered, so that a retry of one (after a lost reply) waits for the
    /// same commit and is answered as a duplicate; attempts the coordinator ended itself (expired, abandoned) are
    /// not, so the worker's late finish is refused.
    private func commit(_ ended: [(held: HeldLease, outcome: TrialOutcome)], fromWorker: Bool) async throws {
        guard !ended.isEmpty else { return }
        let finishes = ended.map { finishRecord(for: $0.held.job, outcome: $0.outcome) }
        let store = self.store
        let lease = self.lease
        let commit = Task { try await store.finishTrials(lease, finishes) }
        if fromWorker {
            for attempt in ended { leases.remember(attempt.held.id, commit) }
        }
        do {
            try await commit.value
        } catch {
            for (attempt, finish) in zip(ended, finishes) { abandon(attempt.held.job, finish, error) }
            throw error
        }
        for (attempt, finish) in zip(ended, finishes) { record(attempt.held.job, finish) }
    }

    @discardableResult
    private func touch(_ id: String) throws -> HeldLease {
        guard var held = leases.held[id] else { throw RemoteCallError.leaseNotHeld(id) }
        held.deadline = .now + .milliseconds(Int64((remote?.leaseTimeout ?? 30) * 1000))
        leases.held[id] = held
        return held
    }

    /// Why nothing more will be leased, or nil while the run goes on.
    var overReason: String? {
        switch stopReason {
        case .maxFailures: return "the run stopped at budget.max_failures"
        case .interrupted(let why): return "the run was interrupted (\(why))"
        case .storeFailure: return "the run stopped on a store error"
        case nil: break
        }
        if done >= budget { return "the budget of \(budget) trials is spent" }
        if timeIsUp { return "budget.time is spent" }
        if exhausted && retries.isEmpty && running == 0 { return "the searcher has no more points" }
        if closed { return "the experiment is closed" }
        return nil
    }
}

extension SearchEngine {
    /// The run's counters as the coordinator's status call reports them.
    public func remoteStatus() -> (done: Int, total: Int, running: Int, leases: Int, over: String?) {
        (done, budget, running, leases.held.count, overReason)
    }
}
