import ForageCore
import Foundation
import GRDB

/// A trial's final state as the engine hands it to the store.
public struct TrialFinish: Sendable {
    public var number: Int
    public var state: TrialState
    public var value: Double?
    public var metrics: [String: Double]
    public var reason: FailureReason?
    public var message: String?
    /// The failed attempt will be retried with the same parameters (it does not count towards the budget).
    public var requeued: Bool
    public var lastStep: Int?
    public var finishedAt: Date

    public init(
        number: Int, state: TrialState, value: Double?, metrics: [String: Double], reason: FailureReason? = nil, message: String? = nil,
        requeued: Bool = false, lastStep: Int? = nil, finishedAt: Date = Date()
    ) {
        self.number = number
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
    public var startedAt: Date

    public init(number: Int, draw: Int, params: ParameterSet, attempt: Int = 1, retryOf: Int? = nil, worker: String? = nil, startedAt: Date = Date()) {
        self.number = number
        self.draw = draw
        self.params = params
        self.attempt = attempt
        self.retryOf = retryOf
        self.worker = worker
        self.startedAt = startedAt
    }
}

extension SQLiteExperimentStore {
    /// Records a trial as running. Queued behind nothing and awaited by no one: the trial's later writes follow it in
    /// the same commit queue, and its finish is awaited.
    public func startTrial(experiment id: Int64, _ trial: TrialStart) {
        let params = trial.params.jsonString
        commits.submit { db in
            try db.cachedStatement(sql: """
                INSERT INTO trials (experiment_id, number, draw, state, params, attempt, retry_of, worker, started_at)
                VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)
                """).execute(arguments: [id, trial.number, trial.draw, params, trial.attempt, trial.retryOf, trial.worker, trial.startedAt.timeIntervalSince1970])
        }
    }

    /// Queues intermediate values and returns at once; the trial's finish, queued later, commits after them.
    public func submitReport(experiment id: Int64, trial number: Int, step: Int, values: [String: Double]) {
        commits.submit(Self.reportOperation(experiment: id, trial: number, step: step, values: values))
    }

    /// Records intermediate values and returns once they are durable (a scheduler is about to judge them).
    public func commitReport(experiment id: Int64, trial number: Int, step: Int, values: [String: Double]) async throws {
        try await commits.commit(Self.reportOperation(experiment: id, trial: number, step: step, values: values))
    }

    private static func reportOperation(experiment id: Int64, trial number: Int, step: Int, values: [String: Double]) -> CommitQueue.Operation {
        { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO intermediate_values (experiment_id, trial, name, step, value) VALUES (?, ?, ?, ?, ?)")
            for (name, value) in values where !value.isNaN {
                try statement.execute(arguments: [id, number, name, step, value])
            }
        }
    }

    /// Records a scheduler decision with its reason (queued; committed before the trial's finish).
    public func recordDecision(experiment id: Int64, trial number: Int, decision: SchedulerDecision) {
        let now = Date().timeIntervalSince1970
        commits.submit { db in
            try db.cachedStatement(sql: "INSERT INTO decisions (experiment_id, trial, step, action, reason, rung, cutoff, value, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [id, number, decision.step, decision.action.rawValue, decision.reason, decision.rung, decision.cutoff, decision.value, now])
        }
    }

    /// Records a trial's final state and metrics; returns only once it (and everything queued before it) is committed.
    public func finishTrial(experiment id: Int64, _ finish: TrialFinish) async throws {
        try await commits.commit { db in try Self.write(finish, experiment: id, db) }
    }

    /// Records several trials' final states in one transaction (a remote worker's batch of results).
    public func finishTrials(experiment id: Int64, _ finishes: [TrialFinish]) async throws {
        try await commits.commit { db in
            for finish in finishes { try Self.write(finish, experiment: id, db) }
        }
    }

    private static func write(_ finish: TrialFinish, experiment id: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE trials SET state = ?1, value = ?2, reason = ?3, message = ?4, requeued = ?5, finished_at = ?6,
                last_step = COALESCE(?7, (SELECT MAX(step) FROM intermediate_values WHERE experiment_id = ?8 AND trial = ?9))
            WHERE experiment_id = ?8 AND number = ?9
            """).execute(arguments: [
                finish.state.rawValue, finish.value, finish.reason?.rawValue, finish.message, finish.requeued,
                finish.finishedAt.timeIntervalSince1970, finish.lastStep, id, finish.number,
            ])
        guard db.changesCount == 1 else { throw StoreError.database("trial \(finish.number) was never started") }
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO trial_metrics (experiment_id, trial, name, value) VALUES (?, ?, ?, ?)")
        for (name, value) in finish.metrics where value.isFinite {
            try statement.execute(arguments: [id, finish.number, name, value])
        }
    }

    static func decodeParams(_ text: String?) -> ParameterSet {
        guard let text else { return ParameterSet() }
        return (try? JSONDecoder().decode(ParameterSet.self, from: Data(text.utf8))) ?? ParameterSet()
    }
}
