import ForageCore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    /// Trial counts per state; `queued` counts re-queued attempts still waiting for their retry.
    public func counts(experiment id: Int64) throws -> TrialCounts {
        try read { db in
            var counts = TrialCounts()
            // Counted from the (experiment, state, value) index alone; the few re-queued attempts are then subtracted.
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM trials WHERE experiment_id = ? GROUP BY state", arguments: [id]) {
                let n: Int = row["n"]
                switch TrialState(rawValue: row["state"] ?? "") {
                case .queued: counts.queued += n
                case .running: counts.running += n
                case .completed: counts.completed += n
                case .pruned: counts.pruned += n
                case .failed: counts.failed += n
                case nil: break
                }
            }
            // INDEXED BY: without it SQLite picks the primary key and reads every trial of the experiment.
            counts.failed -= try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM trials INDEXED BY trials_by_state_value WHERE experiment_id = ? AND state = 'failed' AND requeued = 1",
                arguments: [id]) ?? 0
            counts.queued += try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM trials t INDEXED BY trials_by_state_value
                WHERE t.experiment_id = ? AND t.state = 'failed' AND t.requeued = 1
                AND NOT EXISTS (SELECT 1 FROM trials r WHERE r.experiment_id = t.experiment_id AND r.retry_of = t.number)
                """, arguments: [id]) ?? 0
            return counts
        }
    }

    /// Completed trials ranked by the objective, best first (`top` limits the count). An indexed read: its cost does
    /// not grow with the number of metric rows.
    public func leaderboard(_ experiment: ExperimentRecord, top: Int? = nil) throws -> [TrialRecord] {
        let order = experiment.objective.direction == .minimize ? "ASC" : "DESC"
        return try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM trials WHERE experiment_id = ? AND state = 'completed' AND value IS NOT NULL
                    ORDER BY value \(order), number ASC LIMIT ?
                    """, arguments: [experiment.id, top ?? -1])
            return try records(rows, experiment: experiment.id, db: db, wholeExperiment: top == nil)
        }
    }

    /// The best completed trial, or nil.
    public func best(_ experiment: ExperimentRecord) throws -> TrialRecord? {
        try leaderboard(experiment, top: 1).first
    }

    /// Every trial (optionally in one state), by number, with metrics and scheduler decisions.
    public func trials(_ experiment: ExperimentRecord, state: TrialState? = nil) throws -> [TrialRecord] {
        try read { db in
            var sql = "SELECT * FROM trials WHERE experiment_id = ?"
            var arguments: StatementArguments = [experiment.id]
            if let state {
                sql += " AND state = ?"
                arguments += [state.rawValue]
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY number", arguments: arguments)
            return try records(rows, experiment: experiment.id, db: db, wholeExperiment: true)
        }
    }

    /// One trial by number.
    public func trial(_ experiment: ExperimentRecord, number: Int) throws -> TrialRecord? {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM trials WHERE experiment_id = ? AND number = ?", arguments: [experiment.id, number])
            return try records(rows, experiment: experiment.id, db: db, wholeExperiment: false).first
        }
    }

    /// The history searchers and schedulers see, rebuilt from the store (resume starts from it). With
    /// `intermediateMetric`, each trial's intermediate values of that metric are loaded too.
    public func history(_ experiment: ExperimentRecord, intermediateMetric: String?) throws -> (history: TrialHistory, trials: [TrialRecord]) {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM trials WHERE experiment_id = ? ORDER BY number", arguments: [experiment.id])
            let records = try records(rows, experiment: experiment.id, db: db, wholeExperiment: true, withDecisions: false)
            var intermediate: [Int: [Int: Double]] = [:]
            if let intermediateMetric {
                let cursor = try Row.fetchCursor(db, sql: "SELECT trial, step, value FROM intermediate_values WHERE experiment_id = ? AND name = ?", arguments: [experiment.id, intermediateMetric])
                while let row = try cursor.next() {
                    intermediate[row["trial"], default: [:]][row["step"]] = row["value"]
                }
            }
            let snapshots = records.map { record in
                TrialSnapshot(
                    number: record.number, state: record.state, params: record.params,
                    value: record.state == .completed || record.state == .pruned ? record.value : nil,
                    intermediate: intermediate[record.number] ?? [:])
            }
            return (TrialHistory(objective: experiment.objective, trials: snapshots), records)
        }
    }

    /// Builds trial records from trial rows, loading their final metrics (and last intermediate values for trials
    /// without final metrics) and decisions in a few set-based queries.
    private func records(_ rows: [Row], experiment id: Int64, db: Database, wholeExperiment: Bool, withDecisions: Bool = true) throws -> [TrialRecord] {
        guard !rows.isEmpty else { return [] }
        let numbers: [Int] = rows.map { $0["number"] }
        var metrics: [Int: [String: Double]] = [:]
        var decisions: [Int: [DecisionRecord]] = [:]
        let filter = wholeExperiment ? "" : " AND trial IN (\(numbers.map(String.init).joined(separator: ",")))"
        for row in try Row.fetchAll(db, sql: "SELECT trial, name, value FROM trial_metrics WHERE experiment_id = ?" + filter, arguments: [id]) {
            metrics[row["trial"], default: [:]][row["name"]] = row["value"]
        }
        // Trials without final metrics (running, failed) show the last intermediate value of each metric, and a
        // running trial's last step is read from its reports (it is stored on the trial row when it finishes).
        let unfinished = rows.filter { row in metrics[row["number"]] == nil || row["state"] == TrialState.running.rawValue }
            .map { $0["number"] as Int }
        var runningSteps: [Int: Int] = [:]
        if !unfinished.isEmpty {
            let list = unfinished.map(String.init).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: """
                SELECT trial, name, value, MAX(step) AS step FROM intermediate_values WHERE experiment_id = ? AND trial IN (\(list))
                GROUP BY trial, name
                """, arguments: [id]) {
                let trial: Int = row["trial"]
                if metrics[trial] == nil || runningSteps[trial] != nil { metrics[trial, default: [:]][row["name"]] = row["value"] }
                runningSteps[trial] = max(runningSteps[trial] ?? 0, row["step"])
            }
        }
        if withDecisions {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM decisions WHERE experiment_id = ?" + filter + " ORDER BY id", arguments: [id]) {
                decisions[row["trial"], default: []].append(
                    DecisionRecord(step: row["step"], action: row["action"], reason: row["reason"], rung: row["rung"], cutoff: row["cutoff"], value: row["value"]))
            }
        }
        return rows.map { row in
            let number: Int = row["number"]
            return TrialRecord(
                number: number, draw: row["draw"], state: TrialState(rawValue: row["state"] ?? "") ?? .failed,
                params: Self.decodeParams(row["params"]), value: row["value"], metrics: metrics[number] ?? [:],
                lastStep: row["last_step"] ?? runningSteps[number], reason: (row["reason"] as String?).flatMap(FailureReason.init(rawValue:)),
                message: row["message"], attempt: row["attempt"] ?? 1, retryOf: row["retry_of"], requeued: row["requeued"] ?? false,
                worker: row["worker"], decisions: decisions[number] ?? [],
                startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        }
    }
}
