import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    /// Queues a write nobody awaits; on a read-only store the error surfaces at the next awaited write.
    private func submit(_ lease: OwnerLease, _ operation: @escaping CommitQueue.Operation) {
        commits?.submit(CommitQueue.Fence(lease), operation)
    }

    public func startTrial(_ lease: OwnerLease, _ trial: TrialStart) {
        let params = trial.params.jsonString
        submit(lease) { db in
            try db.cachedStatement(sql: """
                INSERT INTO trials (experiment_id, number, draw, state, params, attempt, retry_of, worker, started_at, data_version)
                VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    lease.experiment, trial.number, trial.draw, params, trial.attempt, trial.retryOf, trial.worker,
                    trial.startedAt.timeIntervalSince1970, trial.dataVersion,
                ])
            if let queued = trial.enqueued {
                try db.cachedStatement(sql: "UPDATE enqueued_params SET trial = ? WHERE id = ? AND experiment_id = ? AND trial IS NULL")
                    .execute(arguments: [trial.number, queued, lease.experiment])
            }
        }
    }

    public func submitReport(_ lease: OwnerLease, trial number: Int, step: Int, values: [String: Double]) {
        submit(lease, Self.reportOperation(experiment: lease.experiment, trial: number, step: step, values: values))
    }

    public func commitReport(_ lease: OwnerLease, trial number: Int, step: Int, values: [String: Double]) async throws {
        try await queue().commit(
            CommitQueue.Fence(lease), Self.reportOperation(experiment: lease.experiment, trial: number, step: step, values: values))
    }

    private static func reportOperation(experiment id: Int64, trial number: Int, step: Int, values: [String: Double]) -> CommitQueue.Operation {
        { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO intermediate_values (experiment_id, trial, name, step, value) VALUES (?, ?, ?, ?, ?)")
            for (name, value) in values where !value.isNaN {
                try statement.execute(arguments: [id, number, name, step, value])
            }
        }
    }

    public func recordDecision(_ lease: OwnerLease, trial number: Int, decision: SchedulerDecision) {
        let now = Date().timeIntervalSince1970
        submit(lease) { db in
            try db.cachedStatement(sql: "INSERT INTO decisions (experiment_id, trial, step, action, reason, rung, cutoff, value, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [lease.experiment, number, decision.step, decision.action.rawValue, decision.reason, decision.rung, decision.cutoff, decision.value, now])
        }
    }

    public func finishTrial(_ lease: OwnerLease, _ finish: TrialFinish) async throws {
        try await queue().commit(CommitQueue.Fence(lease)) { db in try Self.write(finish, experiment: lease.experiment, db) }
    }

    public func finishTrials(_ lease: OwnerLease, _ finishes: [TrialFinish]) async throws {
        try await queue().commit(CommitQueue.Fence(lease)) { db in
            for finish in finishes { try Self.write(finish, experiment: lease.experiment, db) }
        }
    }

    /// Finishes a trial that is `running` with the finishing attempt; any other row is left as it is.
    private static func write(_ finish: TrialFinish, experiment id: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE trials SET state = ?1, value = ?2, reason = ?3, message = ?4, requeued = ?5, finished_at = ?6,
                last_step = COALESCE(?7, (SELECT MAX(step) FROM intermediate_values WHERE experiment_id = ?8 AND trial = ?9))
            WHERE experiment_id = ?8 AND number = ?9 AND state = 'running' AND attempt = ?10
            """).execute(arguments: [
                finish.state.rawValue, finish.value, finish.reason?.rawValue, finish.message, finish.requeued,
                finish.finishedAt.timeIntervalSince1970, finish.lastStep, id, finish.number, finish.attempt,
            ])
        guard db.changesCount == 1 else {
            let state = try String.fetchOne(db, sql: "SELECT state FROM trials WHERE experiment_id = ? AND number = ?", arguments: [id, finish.number])
            throw StoreError.database(
                state.map { "trial \(finish.number) is \($0), not running attempt \(finish.attempt): its finish was not recorded" }
                    ?? "trial \(finish.number) was never started")
        }
        if finish.values != nil || finish.violation != nil {
            try db.cachedStatement(sql: "UPDATE trials SET objective_values = ?, violation = ? WHERE experiment_id = ? AND number = ?")
                .execute(arguments: [ObjectiveValuesText.encode(finish.values), finish.violation, id, finish.number])
        }
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO trial_metrics (experiment_id, trial, name, value) VALUES (?, ?, ?, ?)")
        for (name, value) in finish.metrics where value.isFinite {
            try statement.execute(arguments: [id, finish.number, name, value])
        }
    }

    public func resumePoint(_ experiment: ExperimentRecord, need: HistoryNeed) async throws -> ResumePoint {
        let id = experiment.id
        let objective = experiment.objective
        let goals = experiment.goals
        let best = try await best(experiment).flatMap { trial in trial.value.map { (number: trial.number, value: $0) } }
        return try await read { db in
            let highest = try Int.fetchOne(db, sql: "SELECT MAX(number) FROM trials WHERE experiment_id = ?", arguments: [id])
            // Fresh draws grow with trial numbers (a retry reuses an older draw), so the newest fresh trial holds the
            // highest draw: a short walk back along the primary key, not a scan.
            let lastDraw = try Int.fetchOne(
                db, sql: "SELECT draw FROM trials WHERE experiment_id = ? AND retry_of IS NULL ORDER BY number DESC LIMIT 1", arguments: [id])
            let counts = try Self.counts(db, experiment: id)
            let done = counts.finished
            let failed = counts.failed
            let retries = try Row.fetchAll(
                db, sql: """
                    SELECT number, draw, params, attempt FROM trials t INDEXED BY trials_by_state
                    WHERE t.experiment_id = ? AND t.state = 'failed' AND t.requeued = 1
                    AND NOT EXISTS (SELECT 1 FROM trials r WHERE r.experiment_id = t.experiment_id AND r.retry_of = t.number)
                    ORDER BY number
                    """, arguments: [id]
            ).map { row in
                RequeuedAttempt(number: row["number"], draw: row["draw"], params: Self.decodeParams(row["params"]), attempt: row["attempt"] ?? 1)
            }
            var history = TrialHistory(goals: goals)
            if need > .none {
                history = TrialHistory(
                    goals: goals,
                    trials: try Self.snapshots(db, experiment: id, curvesOf: need == .curves ? objective.metric : nil, goals: goals.ranksByFront))
            }
            return ResumePoint(
                history: history, nextNumber: highest.map { $0 + 1 } ?? 0, nextDraw: lastDraw.map { $0 + 1 } ?? 0, done: done, failed: failed, retries: retries, best: best)
        }
    }

    /// What searchers see of every trial: parameters, state, final value, and with `metric` its intermediate values.
    private static func snapshots(_ db: Database, experiment id: Int64, curvesOf metric: String?, goals: Bool) throws -> [TrialSnapshot] {
        var intermediate: [Int: [Int: Double]] = [:]
        if let metric {
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT trial, step, value FROM intermediate_values WHERE experiment_id = ? AND name = ?", arguments: [id, metric])
            while let row = try cursor.next() {
                intermediate[row["trial"], default: [:]][row["step"]] = row["value"]
            }
        }
        var snapshots: [TrialSnapshot] = []
        let extra = goals ? ", objective_values, violation" : ""
        let cursor = try Row.fetchCursor(db, sql: "SELECT number, state, params, value\(extra) FROM trials WHERE experiment_id = ? ORDER BY number", arguments: [id])
        while let row = try cursor.next() {
            let number: Int = row["number"]
            let state = TrialState(rawValue: row["state"] ?? "") ?? .failed
            let params = (row["params"] as String?).flatMap(FlatParamsParser.parse) ?? decodeParams(row["params"])
            let completed = state == .completed
            snapshots.append(
                TrialSnapshot(
                    number: number, state: state, params: params, value: completed || state == .pruned ? row["value"] : nil,
                    intermediate: intermediate[number] ?? [:],
                    values: goals && completed ? ObjectiveValuesText.decode(row["objective_values"]) : nil,
                    violation: goals && completed ? row["violation"] : nil))
        }
        return snapshots
    }

    static func decodeParams(_ text: String?) -> ParameterSet {
        guard let text else { return ParameterSet() }
        return (try? JSONDecoder().decode(ParameterSet.self, from: Data(text.utf8))) ?? ParameterSet()
    }
}
