import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    public func counts(experiment id: Int64) async throws -> TrialCounts {
        try await read { db in try Self.counts(db, experiment: id) }
    }

    /// Counted from the (experiment, state) index alone; the few re-queued attempts are then subtracted.
    static func counts(_ db: Database, experiment id: Int64) throws -> TrialCounts {
        var counts = TrialCounts()
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
            db, sql: "SELECT COUNT(*) FROM trials INDEXED BY trials_by_state WHERE experiment_id = ? AND state = 'failed' AND requeued = 1",
            arguments: [id]) ?? 0
        counts.queued += try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM trials t INDEXED BY trials_by_state
            WHERE t.experiment_id = ? AND t.state = 'failed' AND t.requeued = 1
            AND NOT EXISTS (SELECT 1 FROM trials r WHERE r.experiment_id = t.experiment_id AND r.retry_of = t.number)
            """, arguments: [id]) ?? 0
        return counts
    }

    public func leaderboard(_ experiment: ExperimentRecord, top: Int) async throws -> [TrialRecord] {
        try await leaderboardPage(experiment, after: nil, limit: top, detail: .full)
    }

    /// Read in index order from the covering `trials_leaderboard` index (value, then number): no trial row is
    /// sought. Maximising reads it backwards, so ties by value sort by number in a small sorter over equal values only.
    /// INDEXED BY: the planner otherwise prefers (experiment, state, value) and seeks every row.
    public func leaderboardPage(
        _ experiment: ExperimentRecord, after cursor: LeaderboardCursor?, limit: Int, detail: RecordDetail
    ) async throws -> [TrialRecord] {
        let order = experiment.objective.direction == .minimize ? "ASC" : "DESC"
        let beyond = experiment.objective.direction == .minimize ? ">=" : "<="
        let id = experiment.id
        return try await read { db in
            var sql = "SELECT \(Self.trialColumns) FROM trials INDEXED BY trials_leaderboard WHERE experiment_id = ? AND state = 'completed' AND value IS NOT NULL"
            var arguments: StatementArguments = [id]
            if let cursor {
                sql += " AND value \(beyond) ? AND NOT (value = ? AND number <= ?)"
                arguments += [cursor.value, cursor.value, cursor.number]
            }
            sql += " ORDER BY value \(order), number ASC LIMIT ?"
            arguments += [limit]
            return try Self.records(try TrialRow.fetchAll(db, sql: sql, arguments: arguments), experiment: id, detail: detail, db: db)
        }
    }

    public func trialPage(_ experiment: ExperimentRecord, state: TrialState?, after number: Int?, limit: Int) async throws -> [TrialRecord] {
        let id = experiment.id
        return try await read { db in
            var sql = "SELECT \(Self.trialColumns) FROM trials WHERE experiment_id = ? AND number > ?"
            var arguments: StatementArguments = [id, number ?? Int.min]
            if let state {
                sql += " AND state = ?"
                arguments += [state.rawValue]
            }
            sql += " ORDER BY number LIMIT ?"
            arguments += [limit]
            return try Self.records(try TrialRow.fetchAll(db, sql: sql, arguments: arguments), experiment: id, db: db)
        }
    }

    public func listingColumns(_ experiment: ExperimentRecord, completedOnly: Bool) async throws -> ListingColumns {
        let id = experiment.id
        return try await read { db in
            var names = Set(try String.fetchAll(db, sql: "SELECT DISTINCT name FROM trial_metrics WHERE experiment_id = ?", arguments: [id]))
            if !completedOnly {
                // Unfinished trials show their last intermediate values; finished ones rarely lack final metrics.
                names.formUnion(
                    try String.fetchAll(
                        db, sql: """
                            SELECT DISTINCT v.name FROM trials t INDEXED BY trials_by_state
                            JOIN intermediate_values v ON v.experiment_id = t.experiment_id AND v.trial = t.number
                            WHERE t.experiment_id = ? AND t.state IN ('running', 'queued', 'failed')
                            """, arguments: [id]))
            }
            let workers = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM trials INDEXED BY trials_by_worker WHERE experiment_id = ? AND worker IS NOT NULL LIMIT 1",
                arguments: [id]) ?? false
            return ListingColumns(metricNames: names.sorted(), hasWorkers: workers)
        }
    }

    public func trial(_ experiment: ExperimentRecord, number: Int) async throws -> TrialRecord? {
        let id = experiment.id
        return try await read { db in
            let rows = try TrialRow.fetchAll(
                db, sql: "SELECT \(Self.trialColumns) FROM trials WHERE experiment_id = ? AND number = ?", arguments: [id, number])
            return try Self.records(rows, experiment: id, db: db).first
        }
    }

    /// The trial columns every trial query selects, in the order `TrialRow` reads them.
    static let trialColumns =
        "number, draw, state, params, value, reason, message, attempt, retry_of, requeued, worker, last_step, started_at, finished_at, data_version"

    /// Builds trial records from trial rows, loading their final metrics (and last intermediate values for trials
    /// without final metrics) and decisions for the page's trials alone: a range read for a page in number order, an
    /// `IN` list for a scattered (leaderboard) page.
    static func records(_ rows: [TrialRow], experiment id: Int64, detail: RecordDetail = .full, db: Database) throws -> [TrialRecord] {
        guard !rows.isEmpty else { return [] }
        let numbers = rows.map(\.number)
        let wanted = Set(numbers)
        let low = numbers.min() ?? 0
        let high = numbers.max() ?? 0
        let dense = high - low < 4 * numbers.count
        let filter = dense ? "trial BETWEEN \(low) AND \(high)" : "trial IN (\(numbers.map(String.init).joined(separator: ",")))"
        var metrics: [Int: [String: Double]] = [:]
        var decisions: [Int: [DecisionRecord]] = [:]
        // An experiment without final metrics (a function reporting only its value) or without decisions (no
        // scheduler) skips that lookup: an `IN` list of a scattered page is one index seek per trial.
        let names = detail.metrics.map { $0.sorted().map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } }
        let nameFilter = names.map { " AND name IN (\($0.joined(separator: ",")))" } ?? ""
        if names?.isEmpty != true, try Self.hasRows(db, in: "trial_metrics", experiment: id) {
            let metricRows = try Row.fetchCursor(
                db, sql: "SELECT trial, name, value FROM trial_metrics WHERE experiment_id = ? AND \(filter)\(nameFilter)", arguments: [id])
            while let row = try metricRows.next() {
                let trial: Int = row[0]
                if wanted.contains(trial) { metrics[trial, default: [:]][row[1]] = row[2] }
            }
        }
        // Trials without final metrics (running, failed) show the last intermediate value of each metric, and a
        // running trial's last step is read from its reports (it is stored on the trial row when it finishes).
        let unfinished = names?.isEmpty == true ? [] : rows.filter { row in
            metrics[row.number] == nil || row.state == TrialState.running.rawValue
        }.map(\.number)
        var runningSteps: [Int: Int] = [:]
        if !unfinished.isEmpty {
            let statement = try db.cachedStatement(sql: """
                SELECT name, value, MAX(step) AS step FROM intermediate_values WHERE experiment_id = ? AND trial = ?\(nameFilter)
                GROUP BY name
                """)
            for number in unfinished {
                for row in try Row.fetchAll(statement, arguments: [id, number]) {
                    if metrics[number] == nil || runningSteps[number] != nil { metrics[number, default: [:]][row[0]] = row[1] }
                    runningSteps[number] = max(runningSteps[number] ?? 0, row[2])
                }
            }
        }
        if detail.decisions, try Self.hasRows(db, in: "decisions", experiment: id) {
            let decisionRows = try Row.fetchCursor(
                db, sql: "SELECT trial, step, action, reason, rung, cutoff, value FROM decisions WHERE experiment_id = ? AND \(filter) ORDER BY trial, id",
                arguments: [id])
            while let row = try decisionRows.next() {
                let trial: Int = row[0]
                guard wanted.contains(trial) else { continue }
                decisions[trial, default: []].append(
                    DecisionRecord(step: row[1], action: row[2], reason: row[3], rung: row[4], cutoff: row[5], value: row[6]))
            }
        }
        return rows.map { row in
            TrialRecord(
                number: row.number, draw: row.draw, state: row.state.flatMap(TrialState.init(rawValue:)) ?? .failed,
                params: row.params.flatMap(FlatParamsParser.parse) ?? decodeParams(row.params), value: row.value,
                metrics: metrics[row.number] ?? [:], lastStep: row.lastStep ?? runningSteps[row.number],
                reason: row.reason.flatMap(FailureReason.init(rawValue:)), message: row.message, attempt: row.attempt ?? 1,
                retryOf: row.retryOf, requeued: row.requeued, worker: row.worker, dataVersion: row.dataVersion,
                decisions: decisions[row.number] ?? [],
                startedAt: row.startedAt.map(Date.init(timeIntervalSince1970:)),
                finishedAt: row.finishedAt.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Whether `table` (keyed by experiment first) holds any row of the experiment: one index seek.
    private static func hasRows(_ db: Database, in table: String, experiment id: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE experiment_id = ? LIMIT 1", arguments: [id]) ?? false
    }
}
