import ForageCore
import ForageExecutor
import ForageStore
import Foundation

/// Ask/tell (`trial: {external: true}`): trials that a loop Forage does not run asks for and tells about, each call
/// its own short-lived process. They ride on the remote workers' leases (DESIGN §8): an asked trial is a lease held
/// by the worker `external`, whose id is derived from the trial and attempt so that the next process can adopt it;
/// its deadline is its last `ask`/`tell` plus the spec's `trial.lease`. Budget, retries, the scheduler and fencing
/// follow the remote path unchanged.
extension SearchEngine {
    /// The worker name asked trials are recorded with.
    public static let externalWorker = "external"

    /// The lease id of an asked trial's attempt.
    static func externalLease(trial: Int, attempt: Int) -> String { "external-\(trial)-\(attempt)" }

    /// Takes over the trials earlier `ask` calls left running (from `ExternalTrialStore.acquireExternal`).
    public func adopt(_ trials: [ExternalTrial]) {
        let timeout = remote?.leaseTimeout ?? spec.trial.leaseTimeout
        for trial in trials {
            let job = TrialJob(
                number: trial.number, draw: trial.draw, params: trial.params, attempt: trial.attempt, retryOf: trial.retryOf,
                worker: Self.externalWorker)
            let left = max(0, timeout - Date().timeIntervalSince(trial.lastActive))
            let id = Self.externalLease(trial: trial.number, attempt: trial.attempt)
            leases.held[id] = HeldLease(id: id, job: job, worker: Self.externalWorker, deadline: .now + .milliseconds(Int64(left * 1000)))
            running += 1
            if historyNeed > .none { history.upsert(TrialSnapshot(number: trial.number, state: .running, params: trial.params)) }
        }
    }

    /// `forage ask`: starts the next trial (a retry first) and commits its start, or says why none can start.
    public func ask() async throws -> AskAnswer {
        try await store.updateBudget(lease, trials: budget, parallel: parallel)
        if let over = overReason { return .over(over) }
        guard let job = nextJob(for: Self.externalWorker) else {
            return .over(overReason ?? "all \(budget) trials of the budget are taken: \(running) still running wait for their `forage tell`")
        }
        running += 1
        let id = Self.externalLease(trial: job.number, attempt: job.attempt)
        let timeout = remote?.leaseTimeout ?? spec.trial.leaseTimeout
        leases.held[id] = HeldLease(id: id, job: job, worker: Self.externalWorker, deadline: .now + .milliseconds(Int64(timeout * 1000)))
        if historyNeed > .none { history.upsert(TrialSnapshot(number: job.number, state: .running, params: job.params)) }
        store.startTrial(
            lease,
            TrialStart(
                number: job.number, draw: job.draw, params: job.params, attempt: job.attempt, retryOf: job.retryOf,
                worker: Self.externalWorker, dataVersion: dataVersion, enqueued: job.enqueued))
        try await store.flush()
        return .trial(number: job.number, attempt: job.attempt, params: job.params, leaseTimeout: timeout)
    }

    /// The held lease of running trial `number`, or an error naming why it is not running.
    private func externalLease(of number: Int) async throws -> String {
        if let held = leases.held.values.first(where: { $0.job.number == number }) { return held.id }
        let known = try await store.trial(experiment, number: number)
        guard let trial = known else { throw ExternalCallError.unknownTrial(number, experiment: spec.name) }
        throw ExternalCallError.notRunning(trial, experiment: spec.name)
    }

    /// `forage tell --step K`: an intermediate report, committed and judged. A `stop` ends the trial as pruned at once.
    public func tell(trial number: Int, step: Int, values: [String: Double]) async throws -> SchedulerDecision.Action {
        let id = try await externalLease(of: number)
        guard let held = leases.held[id] else { throw ExternalCallError.unknownTrial(number, experiment: spec.name) }
        (store as? any ExternalTrialStore)?.renewTrial(lease, trial: number, attempt: held.job.attempt)
        let action = try await report(lease: id, step: step, values: values)
        if action == .stop {
            _ = try await finish(lease: id, reports: [], outcome: .pruned(metrics: values))
        } else {
            try await store.flush()
        }
        return action
    }

    /// `forage tell` without `--step`: the trial's end (completed with its final metrics, or failed / pruned).
    /// Telling `pruned` for a trial the scheduler already stopped is accepted and changes nothing.
    public func tell(trial number: Int, outcome: TrialOutcome) async throws -> TellReceipt {
        let id: String
        do {
            id = try await externalLease(of: number)
        } catch ExternalCallError.notRunning(let trial, _) where trial.state == .pruned && outcome.isPruned {
            return .alreadyPruned
        }
        if case .completed(let metrics) = outcome, metrics[spec.objective.metric] == nil {
            throw ExternalCallError.missingObjective(spec.objective.metric, given: metrics.keys.sorted())
        }
        _ = try await finish(lease: id, reports: [], outcome: outcome)
        return .recorded
    }

    /// Releases the experiment after one `ask` or `tell`: finished once its budget is spent and nothing runs.
    public func closeExternal() async throws {
        let finished = done >= budget && leases.held.isEmpty
        try await store.close(lease, state: finished ? .finished : .running, message: finished ? nil : "external: waiting for forage ask/tell")
        closed = true
    }

    /// The counters `forage ask` reports.
    public var externalCounts: (done: Int, total: Int, running: Int) { (done, budget, running) }
}

/// What `forage ask` gets.
public enum AskAnswer: Sendable, Equatable {
    case trial(number: Int, attempt: Int, params: ParameterSet, leaseTimeout: Double)
    /// Nothing can start: the budget is spent or taken, or the searcher has no more points.
    case over(String)
}

/// What a final `forage tell` did.
public enum TellReceipt: Sendable, Equatable {
    case recorded
    /// The scheduler had already stopped the trial (a `tell --step` answered `stop`).
    case alreadyPruned
}

/// A `forage tell` the engine refuses, in words.
public enum ExternalCallError: Error, CustomStringConvertible {
    case unknownTrial(Int, experiment: String)
    case notRunning(TrialRecord, experiment: String)
    case missingObjective(String, given: [String])

    public var description: String {
        switch self {
        case .unknownTrial(let number, let experiment):
            return "experiment '\(experiment)' has no trial \(number); `forage ask \(experiment)` hands out trials"
        case .notRunning(let trial, let experiment):
            if trial.reason == .lostWorker {
                return "trial \(trial.number) of '\(experiment)' expired: no `forage tell` came within its lease (trial.lease), so it was "
                    + "failed as lost-worker and re-queued with the same parameters; `forage ask \(experiment)` hands out its retry"
            }
            return "trial \(trial.number) of '\(experiment)' is not running: it is \(trial.state.rawValue)"
                + (trial.reason.map { " (\($0.rawValue))" } ?? "") + "; nothing was recorded"
        case .missingObjective(let metric, let given):
            return "the metrics lack '\(metric)' (the objective metric; given: \(given.isEmpty ? "none" : given.joined(separator: ", "))); "
                + "pass it, or end the trial with --state failed"
        }
    }
}

extension TrialOutcome {
    var isPruned: Bool {
        if case .pruned = self { return true }
        return false
    }
}
