import ForageCore
import ForageStore
import Foundation
import PostgresNIO

extension PostgresExperimentStore {
    /// Queues a write nobody awaits; on a read-only store the error surfaces at the next awaited write.
    private func submit(_ lease: OwnerLease, _ operation: @escaping PostgresCommitQueue.Operation) {
        guard !readOnly else { return }
        commits.submit(.init(lease), operation)
    }

    public func startTrial(_ lease: OwnerLease, _ trial: TrialStart) {
        let params = trial.params.jsonString
        let startedAt = trial.startedAt.timeIntervalSince1970
        submit(lease) { connection in
            try await connection.run(
                """
                INSERT INTO trials (experiment_id, number, draw, state, params, attempt, retry_of, worker, started_at, data_version)
                VALUES (\(lease.experiment), \(trial.number), \(trial.draw), 'running', \(params), \(trial.attempt), \(trial.retryOf),
                    \(trial.worker), \(startedAt), \(trial.dataVersion))
                """)
            if let queued = trial.enqueued {
                try await connection.run(
                    "UPDATE enqueued_params SET trial = \(trial.number) WHERE id = \(queued) AND experiment_id = \(lease.experiment) AND trial IS NULL")
            }
        }
    }

    public func submitReport(_ lease: OwnerLease, trial number: Int, step: Int, values: [String: Double]) {
        submit(lease, Self.reportOperation(experiment: lease.experiment, trial: number, step: step, values: values))
    }

    public func commitReport(_ lease: OwnerLease, trial number: Int, step: Int, values: [String: Double]) async throws {
        try await queue().commit(.init(lease), Self.reportOperation(experiment: lease.experiment, trial: number, step: step, values: values))
    }

    static func reportOperation(experiment id: Int64, trial number: Int, step: Int, values: [String: Double]) -> PostgresCommitQueue.Operation {
        let kept = values.filter { !$0.value.isNaN }.sorted { $0.key < $1.key }
        let names = kept.map(\.key)
        let numbers = kept.map(\.value)
        return { connection in
            guard !names.isEmpty else { return }
            try await connection.run(
                """
                INSERT INTO intermediate_values (experiment_id, trial, name, step, value)
                SELECT \(id), \(number), n, \(step), v FROM unnest(\(names)::text[], \(numbers)::float8[]) AS u(n, v)
                ON CONFLICT (experiment_id, trial, name, step) DO UPDATE SET value = excluded.value
                """)
        }
    }

    /// Every buffered report of one trial in one statement (a later report of the same metric and step wins).
    static func reportsOperation(experiment id: Int64, trial number: Int, reports: [MetricReport]) -> PostgresCommitQueue.Operation {
        var latest: [String: Double] = [:]
        var order: [String] = []
        for report in reports {
            guard let step = report.step else { continue }
            for (name, value) in report.values where !value.isNaN {
                let key = "\(step)\u{0}\(name)"
                if latest.updateValue(value, forKey: key) == nil { order.append(key) }
            }
        }
        let parts = order.map { $0.split(separator: "\u{0}", maxSplits: 1).map(String.init) }
        let steps = parts.map { Int($0[0]) ?? 0 }
        let names = parts.map { $0.count > 1 ? $0[1] : "" }
        let values = order.map { latest[$0] ?? 0 }
        return { connection in
            guard !names.isEmpty else { return }
            try await connection.run(
                """
                INSERT INTO intermediate_values (experiment_id, trial, name, step, value)
                SELECT \(id), \(number), n, s, v FROM unnest(\(names)::text[], \(steps)::bigint[], \(values)::float8[]) AS u(n, s, v)
                ON CONFLICT (experiment_id, trial, name, step) DO UPDATE SET value = excluded.value
                """)
        }
    }

    public func recordDecision(_ lease: OwnerLease, trial number: Int, decision: SchedulerDecision) {
        let now = Date().timeIntervalSince1970
        submit(lease) { connection in
            try await connection.run(
                """
                INSERT INTO decisions (experiment_id, trial, step, action, reason, rung, cutoff, value, created_at)
                VALUES (\(lease.experiment), \(number), \(decision.step), \(decision.action.rawValue), \(decision.reason), \(decision.rung),
                    \(decision.cutoff), \(decision.value), \(now))
                """)
        }
    }

    public func finishTrial(_ lease: OwnerLease, _ finish: TrialFinish) async throws {
        try await queue().commit(.init(lease)) { connection in try await Self.write(finish, experiment: lease.experiment, connection) }
    }

    public func finishTrials(_ lease: OwnerLease, _ finishes: [TrialFinish]) async throws {
        try await queue().commit(.init(lease)) { connection in
            for finish in finishes { try await Self.write(finish, experiment: lease.experiment, connection) }
        }
    }

    /// Finishes a trial that is `running` with the finishing attempt; any other row is left as it is.
    static func write(_ finish: TrialFinish, experiment id: Int64, _ connection: PostgresConnection) async throws {
        let value = finish.value.flatMap { $0.isNaN ? nil : $0 }
        let changed = try await connection.rows(
            """
            UPDATE trials SET state = \(finish.state.rawValue), value = \(value), reason = \(finish.reason?.rawValue),
                message = \(finish.message), requeued = \(finish.requeued), finished_at = \(finish.finishedAt.timeIntervalSince1970),
                last_step = COALESCE(\(finish.lastStep)::bigint,
                    (SELECT MAX(step) FROM intermediate_values WHERE experiment_id = \(id) AND trial = \(finish.number)))
            WHERE experiment_id = \(id) AND number = \(finish.number) AND state = 'running' AND attempt = \(finish.attempt)
            RETURNING number
            """
        ) { _ in true }
        guard changed.count == 1 else {
            let state = try await connection.row(
                "SELECT state FROM trials WHERE experiment_id = \(id) AND number = \(finish.number)") { try $0.get("state", as: String.self) }
            throw StoreError.database(
                state.map { "trial \(finish.number) is \($0), not running attempt \(finish.attempt): its finish was not recorded" }
                    ?? "trial \(finish.number) was never started")
        }
        try await writeMetrics(finish, experiment: id, connection)
    }

    /// Records a finished trial's final metrics (the finite ones), and its objective values and violation.
    static func writeMetrics(_ finish: TrialFinish, experiment id: Int64, _ connection: PostgresConnection) async throws {
        if finish.values != nil || finish.violation != nil {
            try await connection.run(
                """
                UPDATE trials SET objective_values = \(ObjectiveValuesText.encode(finish.values)), violation = \(finish.violation)
                WHERE experiment_id = \(id) AND number = \(finish.number)
                """)
        }
        let kept = finish.metrics.filter { $0.value.isFinite }.sorted { $0.key < $1.key }
        guard !kept.isEmpty else { return }
        try await connection.run(
            """
            INSERT INTO trial_metrics (experiment_id, trial, name, value)
            SELECT \(id), \(finish.number), n, v FROM unnest(\(kept.map(\.key))::text[], \(kept.map(\.value))::float8[]) AS u(n, v)
            ON CONFLICT (experiment_id, trial, name) DO UPDATE SET value = excluded.value
            """)
    }

    public func resumePoint(_ experiment: ExperimentRecord, need: HistoryNeed) async throws -> ResumePoint {
        let id = experiment.id
        let objective = experiment.objective
        let best = try await best(experiment).flatMap { trial in trial.value.map { (number: trial.number, value: $0) } }
        let highest = try await database.rows("SELECT MAX(number) AS n FROM trials WHERE experiment_id = \(id)") {
            try $0.get("n", as: Int?.self)
        }.first ?? nil
        let lastDraw = try await database.rows(
            "SELECT draw FROM trials WHERE experiment_id = \(id) AND retry_of IS NULL ORDER BY number DESC LIMIT 1"
        ) { try $0.get("draw", as: Int.self) }.first
        let counts = try await counts(experiment: id)
        let retries = try await database.rows(
            """
            SELECT number, draw, params, attempt FROM trials t
            WHERE t.experiment_id = \(id) AND t.state = 'failed' AND t.requeued
            AND NOT EXISTS (SELECT 1 FROM trials r WHERE r.experiment_id = t.experiment_id AND r.retry_of = t.number)
            ORDER BY number
            """
        ) { row in
            RequeuedAttempt(
                number: try row.get("number"), draw: try row.get("draw"), params: Self.decodeParams(try row.get("params")),
                attempt: try row.get("attempt"))
        }
        var history = TrialHistory(goals: experiment.goals)
        if need > .none {
            history = TrialHistory(
                goals: experiment.goals,
                trials: try await snapshots(experiment: id, curvesOf: need == .curves ? objective.metric : nil, goals: experiment.goals.ranksByFront))
        }
        return ResumePoint(
            history: history, nextNumber: highest.map { $0 + 1 } ?? 0, nextDraw: lastDraw.map { $0 + 1 } ?? 0, done: counts.finished,
            failed: counts.failed, retries: retries, best: best)
    }

    /// What searchers see of every trial: parameters, state, final value, and with `metric` its intermediate values.
    func snapshots(experiment id: Int64, curvesOf metric: String?, goals: Bool = false) async throws -> [TrialSnapshot] {
        var intermediate: [Int: [Int: Double]] = [:]
        if let metric {
            for (trial, step, value) in try await database.rows(
                "SELECT trial, step, value FROM intermediate_values WHERE experiment_id = \(id) AND name = \(metric)", { row in
                    (try row.get("trial", as: Int.self), try row.get("step", as: Int.self), try row.get("value", as: Double.self))
                })
            {
                intermediate[trial, default: [:]][step] = value
            }
        }
        let extra = goals ? ", objective_values, violation" : ""
        return try await database.rows(
            PostgresQuery(unsafeSQL: "SELECT number, state, params, value\(extra) FROM trials WHERE experiment_id = $1 ORDER BY number", binds: {
                var binds = PostgresBindings()
                binds.append(id)
                return binds
            }())
        ) { row in
            let number: Int = try row.get("number")
            let state = TrialState(rawValue: try row.get("state", as: String.self)) ?? .failed
            let value: Double? = try row.get("value")
            let completed = state == .completed
            return TrialSnapshot(
                number: number, state: state, params: Self.decodeParams(try row.get("params")),
                value: completed || state == .pruned ? value : nil, intermediate: intermediate[number] ?? [:],
                values: goals && completed ? ObjectiveValuesText.decode(try row.get("objective_values", as: String?.self)) : nil,
                violation: goals && completed ? try row.get("violation", as: Double?.self) : nil)
        }
    }

    static func decodeParams(_ text: String?) -> ParameterSet {
        guard let text else { return ParameterSet() }
        return (try? JSONDecoder().decode(ParameterSet.self, from: Data(text.utf8))) ?? ParameterSet()
    }
}
