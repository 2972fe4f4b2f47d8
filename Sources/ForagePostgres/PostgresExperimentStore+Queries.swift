import ForageCore
import ForageStore
import Foundation
import PostgresNIO

extension PostgresExperimentStore {
    public func counts(experiment id: Int64) async throws -> TrialCounts {
        let rows = try await database.rows(
            """
            SELECT state, COUNT(*) AS n, COUNT(*) FILTER (WHERE requeued) AS requeued,
                COUNT(*) FILTER (WHERE requeued AND NOT EXISTS (
                    SELECT 1 FROM trials r WHERE r.experiment_id = t.experiment_id AND r.retry_of = t.number)) AS waiting
            FROM trials t WHERE experiment_id = \(id) GROUP BY state
            """
        ) { row in (try row.get("state", as: String.self), try row.get("n", as: Int.self), try row.get("requeued", as: Int.self), try row.get("waiting", as: Int.self)) }
        var counts = TrialCounts()
        for (state, n, requeued, waiting) in rows {
            switch TrialState(rawValue: state) {
            case .queued: counts.queued += n
            case .running: counts.running += n
            case .completed: counts.completed += n
            case .pruned: counts.pruned += n
            case .failed:
                counts.failed += n - requeued
                counts.queued += waiting
            case nil: break
            }
        }
        return counts
    }

    public func leaderboard(_ experiment: ExperimentRecord, top: Int) async throws -> [TrialRecord] {
        if experiment.goals.ranksByFront { return try await frontRankedLeaderboard(experiment, top: top) }
        return try await leaderboardPage(experiment, after: nil, limit: top)
    }

    public func trials(_ experiment: ExperimentRecord, numbers: [Int], detail: RecordDetail) async throws -> [TrialRecord] {
        guard !numbers.isEmpty else { return [] }
        return try await records(
            "SELECT \(unescaped: Self.trialColumns) FROM trials WHERE experiment_id = \(experiment.id) AND number = ANY(\(numbers))",
            experiment: experiment.id, detail: detail, goals: experiment.goals.ranksByFront)
    }

    /// Every completed trial's objective values: the value column alone for one objective with constraints.
    public func objectivePoints(_ experiment: ExperimentRecord) async throws -> [ObjectivePoint] {
        let several = experiment.goals.isMultiObjective
        return try await database.rows(
            """
            SELECT number, value, objective_values, violation FROM trials
            WHERE experiment_id = \(experiment.id) AND state = 'completed' AND value IS NOT NULL ORDER BY number
            """
        ) { row in
            let value = try row.get("value", as: Double.self)
            let values = several ? ObjectiveValuesText.decode(try row.get("objective_values", as: String?.self)) ?? [] : [value]
            return ObjectivePoint(number: try row.get("number"), values: values, violation: try row.get("violation", as: Double?.self))
        }
    }

    public func leaderboardPage(
        _ experiment: ExperimentRecord, after cursor: LeaderboardCursor?, limit: Int, detail: RecordDetail
    ) async throws -> [TrialRecord] {
        let minimize = experiment.objective.direction == .minimize
        let order = minimize ? "ASC" : "DESC"
        var binds = PostgresBindings()
        binds.append(experiment.id)
        var sql = "SELECT \(Self.trialColumns) FROM trials WHERE experiment_id = $1 AND state = 'completed' AND value IS NOT NULL"
        if let cursor {
            binds.append(cursor.value)
            binds.append(cursor.number)
            sql += minimize ? " AND (value > $2 OR (value = $2 AND number > $3))" : " AND (value < $2 OR (value = $2 AND number > $3))"
        }
        binds.append(limit)
        sql += " ORDER BY value \(order), number ASC LIMIT $\(binds.count)"
        return try await records(PostgresQuery(unsafeSQL: sql, binds: binds), experiment: experiment.id, detail: detail)
    }

    public func trialPage(_ experiment: ExperimentRecord, state: TrialState?, after number: Int?, limit: Int) async throws -> [TrialRecord] {
        var binds = PostgresBindings()
        binds.append(experiment.id)
        binds.append(number ?? Int.min)
        var sql = "SELECT \(Self.trialColumns) FROM trials WHERE experiment_id = $1 AND number > $2"
        if let state {
            binds.append(state.rawValue)
            sql += " AND state = $3"
        }
        binds.append(limit)
        sql += " ORDER BY number LIMIT $\(binds.count)"
        return try await records(PostgresQuery(unsafeSQL: sql, binds: binds), experiment: experiment.id, goals: experiment.goals.ranksByFront)
    }

    public func trial(_ experiment: ExperimentRecord, number: Int) async throws -> TrialRecord? {
        try await records(
            "SELECT \(unescaped: Self.trialColumns) FROM trials WHERE experiment_id = \(experiment.id) AND number = \(number)",
            experiment: experiment.id, goals: experiment.goals.ranksByFront
        ).first
    }

    public func listingColumns(_ experiment: ExperimentRecord, completedOnly: Bool) async throws -> ListingColumns {
        let id = experiment.id
        var names = Set(try await database.rows("SELECT DISTINCT name FROM trial_metrics WHERE experiment_id = \(id)") {
            try $0.get("name", as: String.self)
        })
        if !completedOnly {
            names.formUnion(
                try await database.rows(
                    """
                    SELECT DISTINCT v.name FROM trials t
                    JOIN intermediate_values v ON v.experiment_id = t.experiment_id AND v.trial = t.number
                    WHERE t.experiment_id = \(id) AND t.state IN ('running', 'queued', 'failed')
                    """
                ) { try $0.get("name", as: String.self) })
        }
        let workers = try await database.rows(
            "SELECT 1 AS one FROM trials WHERE experiment_id = \(id) AND worker IS NOT NULL LIMIT 1") { _ in true }
        return ListingColumns(metricNames: names.sorted(), hasWorkers: !workers.isEmpty)
    }

    static let trialColumns =
        "number, draw, state, params, value, reason, message, attempt, retry_of, requeued, worker, last_step, started_at, finished_at, data_version"

    /// Trial records for the rows `query` selects (with `trialColumns`), with their metrics (the last intermediate
    /// values for unfinished trials) and decisions, read for those trials alone.
    /// With `goals`, each record carries its objective values and constraint violation.
    func records(_ query: PostgresQuery, experiment id: Int64, detail: RecordDetail = .full, goals: Bool = false) async throws -> [TrialRecord] {
        struct Base {
            var number: Int, draw: Int, state: String, params: String, value: Double?, reason: String?, message: String?
            var attempt: Int, retryOf: Int?, requeued: Bool, worker: String?, lastStep: Int?, startedAt: Double?, finishedAt: Double?
            var dataVersion: Int?
        }
        let rows = try await database.rows(query) { row in
            Base(
                number: try row.get("number"), draw: try row.get("draw"), state: try row.get("state"), params: try row.get("params"),
                value: try row.get("value"), reason: try row.get("reason"), message: try row.get("message"), attempt: try row.get("attempt"),
                retryOf: try row.get("retry_of"), requeued: try row.get("requeued"), worker: try row.get("worker"),
                lastStep: try row.get("last_step"), startedAt: try row.get("started_at"), finishedAt: try row.get("finished_at"),
                dataVersion: try row.get("data_version"))
        }
        guard !rows.isEmpty else { return [] }
        let numbers = rows.map(\.number)
        var metrics: [Int: [String: Double]] = [:]
        var withFinals = Set<Int>()
        for (trial, name, value) in try await database.rows(
            "SELECT trial, name, value FROM trial_metrics WHERE experiment_id = \(id) AND trial = ANY(\(numbers))", { row in
                (try row.get("trial", as: Int.self), try row.get("name", as: String.self), try row.get("value", as: Double.self))
            })
        {
            withFinals.insert(trial)
            if detail.metrics?.contains(name) ?? true { metrics[trial, default: [:]][name] = value }
        }
        let unfinished = rows.filter { !withFinals.contains($0.number) || $0.state == TrialState.running.rawValue }.map(\.number)
        var runningSteps: [Int: Int] = [:]
        if !unfinished.isEmpty {
            for (trial, name, value, step) in try await database.rows(
                """
                SELECT DISTINCT ON (trial, name) trial, name, value, step FROM intermediate_values
                WHERE experiment_id = \(id) AND trial = ANY(\(unfinished)) ORDER BY trial, name, step DESC
                """, { row in
                    (try row.get("trial", as: Int.self), try row.get("name", as: String.self), try row.get("value", as: Double.self),
                     try row.get("step", as: Int.self))
                })
            {
                if !withFinals.contains(trial) || runningSteps[trial] != nil { metrics[trial, default: [:]][name] = value }
                runningSteps[trial] = max(runningSteps[trial] ?? 0, step)
            }
        }
        let decisions = detail.decisions ? try await decisions(id, numbers) : [:]
        var objectiveValues: [Int: (values: [Double]?, violation: Double?)] = [:]
        if goals {
            for (number, values, violation) in try await database.rows(
                "SELECT number, objective_values, violation FROM trials WHERE experiment_id = \(id) AND number = ANY(\(numbers))", { row in
                    (try row.get("number", as: Int.self), try row.get("objective_values", as: String?.self), try row.get("violation", as: Double?.self))
                })
            {
                objectiveValues[number] = (ObjectiveValuesText.decode(values), violation)
            }
        }
        return rows.map { row in
            var record = TrialRecord(
                number: row.number, draw: row.draw, state: TrialState(rawValue: row.state) ?? .failed, params: Self.decodeParams(row.params),
                value: row.value, metrics: metrics[row.number] ?? [:], lastStep: row.lastStep ?? runningSteps[row.number],
                reason: row.reason.flatMap(FailureReason.init(rawValue:)), message: row.message, attempt: row.attempt, retryOf: row.retryOf,
                requeued: row.requeued, worker: row.worker, dataVersion: row.dataVersion, decisions: decisions[row.number] ?? [],
                startedAt: row.startedAt.map(Date.init(timeIntervalSince1970:)), finishedAt: row.finishedAt.map(Date.init(timeIntervalSince1970:)))
            record.values = objectiveValues[row.number]?.values
            record.violation = objectiveValues[row.number]?.violation
            return record
        }
    }

    private func decisions(_ id: Int64, _ numbers: [Int]) async throws -> [Int: [DecisionRecord]] {
        var decisions: [Int: [DecisionRecord]] = [:]
        for (trial, record) in try await database.rows(
            "SELECT trial, step, action, reason, rung, cutoff, value FROM decisions WHERE experiment_id = \(id) AND trial = ANY(\(numbers)) ORDER BY trial, id",
            { row in
                (try row.get("trial", as: Int.self),
                 DecisionRecord(
                    step: try row.get("step"), action: try row.get("action"), reason: try row.get("reason"), rung: try row.get("rung"),
                    cutoff: try row.get("cutoff"), value: try row.get("value")))
            })
        {
            decisions[trial, default: []].append(record)
        }
        return decisions
    }

    public func trialPoints(_ experiment: ExperimentRecord, from first: Int) async throws -> [TrialPoint] {
        try await database.rows(
            """
            SELECT number, state, value, params, reason, last_step, requeued FROM trials
            WHERE experiment_id = \(experiment.id) AND number >= \(first) ORDER BY number
            """
        ) { row in
            TrialPoint(
                number: try row.get("number"), state: TrialState(rawValue: try row.get("state", as: String.self)) ?? .failed,
                value: try row.get("value"), params: Self.decodeParams(try row.get("params")),
                reason: try row.get("reason", as: String?.self).flatMap(FailureReason.init(rawValue:)), lastStep: try row.get("last_step"),
                requeued: try row.get("requeued"))
        }
    }

    public func progressMarker(experiment name: String) async throws -> String {
        let rows = try await database.rows(
            """
            SELECT e.state,
                (SELECT COALESCE(MAX(number), -1) FROM trials WHERE experiment_id = e.id) AS highest,
                (SELECT COUNT(*) FROM trials WHERE experiment_id = e.id AND state = 'running') AS running,
                (SELECT COUNT(*) FROM trials WHERE experiment_id = e.id AND state = 'queued') AS queued
            FROM experiments e WHERE e.name = \(name)
            """
        ) { row in
            "\(try row.get("state", as: String.self)):\(try row.get("highest", as: Int.self)):\(try row.get("running", as: Int.self)):\(try row.get("queued", as: Int.self))"
        }
        guard let marker = rows.first else { throw StoreError.noExperiment(name: name, known: try await experimentNames()) }
        return marker
    }

    public func curves(_ experiment: ExperimentRecord, metric: String, trials numbers: [Int]) async throws -> [Int: [CurvePoint]] {
        guard !numbers.isEmpty else { return [:] }
        var curves: [Int: [CurvePoint]] = [:]
        for (trial, point) in try await database.rows(
            """
            SELECT trial, step, value FROM intermediate_values
            WHERE experiment_id = \(experiment.id) AND name = \(metric) AND trial = ANY(\(numbers)) ORDER BY trial, step
            """, { row in (try row.get("trial", as: Int.self), CurvePoint(step: try row.get("step"), value: try row.get("value"))) })
        {
            curves[trial, default: []].append(point)
        }
        return curves
    }

    public func decisions(_ experiment: ExperimentRecord, trials numbers: [Int]) async throws -> [Int: [DecisionRecord]] {
        guard !numbers.isEmpty else { return [:] }
        return try await decisions(experiment.id, numbers)
    }

    public func trialsWithCurves(_ experiment: ExperimentRecord, metric: String) async throws -> Set<Int> {
        Set(
            try await database.rows(
                "SELECT DISTINCT trial FROM intermediate_values WHERE experiment_id = \(experiment.id) AND name = \(metric)"
            ) { try $0.get("trial", as: Int.self) })
    }
}
