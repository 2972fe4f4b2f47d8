import ForageCore
import ForageStore
import Foundation
import PostgresNIO
import Synchronization

/// The shared trial queue (DESIGN §10): drivers queue trials, workers claim them with `FOR UPDATE SKIP LOCKED`,
/// and every claim is a lease timed by the database's clock and fenced by its token and attempt.
extension PostgresExperimentStore: SharedTrialStore {
    public func driverLock(experiment id: Int64) async throws -> (any DriverLock)? {
        guard !readOnly else { throw StoreError.readOnly(path: location) }
        return try await PostgresDriverLock.take(database, experiment: id)
    }

    public func takeOverDriving(_ name: String, owner: OwnerIdentity) async throws -> (ExperimentRecord, OwnerLease) {
        let (id, epoch) = try await write { connection -> (Int64, Int64) in
            guard let (id, epoch) = try await connection.row(
                "SELECT id, owner_epoch FROM experiments WHERE name = \(name) FOR UPDATE", { row in
                    (try row.get("id", as: Int64.self), try row.get("owner_epoch", as: Int64.self))
                })
            else { throw StoreError.noExperiment(name: name, known: try await Self.names(connection)) }
            // Queued and running trials are left alone: their workers go on under their own claims.
            try await connection.run(
                """
                UPDATE experiments SET owner = \(owner.token), owner_pid = \(owner.pid), owner_host = \(owner.host),
                    owner_process = \(owner.process), heartbeat_at = \(unescaped: Self.now), owner_epoch = \(epoch + 1)
                WHERE id = \(id)
                """)
            return (id, epoch + 1)
        }
        guard let record = try await experiment(named: name) else { throw StoreError.noExperiment(name: name, known: []) }
        return (record, OwnerLease(experiment: id, epoch: epoch, owner: owner))
    }

    public func markShared(_ lease: OwnerLease, leaseSeconds: Double) async throws {
        try await queue().commit(.init(lease)) { connection in
            try await connection.run("UPDATE experiments SET shared = TRUE, claim_lease = \(leaseSeconds) WHERE id = \(lease.experiment)")
        }
    }

    public func sharedExperiments() async throws -> [ExperimentRecord] {
        try await database.rows(
            "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE shared AND state = 'running' ORDER BY id", Self.experimentRecord)
    }

    public func queueState(experiment id: Int64) async throws -> QueueState {
        let rows = try await database.rows(
            """
            SELECT e.state, e.claim_lease,
                COUNT(t.number) FILTER (WHERE t.state IN ('completed', 'pruned') OR (t.state = 'failed' AND NOT t.requeued)) AS finished,
                COUNT(t.number) FILTER (WHERE t.state = 'failed' AND NOT t.requeued) AS failed,
                COUNT(t.number) FILTER (WHERE t.state = 'running') AS running,
                COUNT(t.number) FILTER (WHERE t.state = 'queued') AS queued
            FROM experiments e LEFT JOIN trials t ON t.experiment_id = e.id WHERE e.id = \(id) GROUP BY e.state, e.claim_lease
            """
        ) { row in
            QueueState(
                finished: try row.get("finished"), failed: try row.get("failed"), running: try row.get("running"), queued: try row.get("queued"),
                state: try row.get("state"), claimLease: try row.get("claim_lease"))
        }
        guard let state = rows.first else { throw StoreError.database("experiment #\(id) was deleted") }
        return state
    }

    public func queueTrials(_ lease: OwnerLease, _ trials: [TrialStart], budget: Int) async throws -> [TrialStart] {
        guard !trials.isEmpty else { return [] }
        let inserted = Mutex<[TrialStart]>([])
        try await queue().commit(.init(lease)) { connection in
            let counted = try await connection.row(
                """
                SELECT COUNT(*) FILTER (WHERE state IN ('completed', 'pruned', 'running', 'queued') OR (state = 'failed' AND NOT requeued)) AS n
                FROM trials WHERE experiment_id = \(lease.experiment)
                """) { try $0.get("n", as: Int.self) } ?? 0
            // Unnamed optionals go in as -1 (arrays carry no NULLs here). A number already there is skipped: that is
            // this same insert retried after its connection was lost once it had landed.
            let room = max(0, budget - counted)
            let kept = Array(trials.prefix(room))
            guard !kept.isEmpty else { return }
            try await connection.run(
                """
                INSERT INTO trials (experiment_id, number, draw, state, params, attempt, retry_of, data_version)
                SELECT \(lease.experiment), n, d, 'queued', p, a, NULLIF(r, -1), NULLIF(v, -1)
                FROM unnest(\(kept.map(\.number))::bigint[], \(kept.map(\.draw))::bigint[], \(kept.map(\.params.jsonString))::text[],
                    \(kept.map(\.attempt))::bigint[], \(kept.map { $0.retryOf ?? -1 })::bigint[], \(kept.map { $0.dataVersion ?? -1 })::bigint[]) AS u(n, d, p, a, r, v)
                ON CONFLICT (experiment_id, number) DO NOTHING
                """)
            for trial in kept {
                guard let queued = trial.enqueued else { continue }
                try await connection.run(
                    "UPDATE enqueued_params SET trial = \(trial.number) WHERE id = \(queued) AND experiment_id = \(lease.experiment) AND trial IS NULL")
            }
            inserted.withLock { $0 = kept }
        }
        return inserted.withLock { $0 }
    }

    public func expireClaims(_ lease: OwnerLease) async throws -> [Int] {
        let expired = Mutex<[Int]>([])
        try await queue().commit(.init(lease)) { connection in
            let numbers = try await connection.rows(
                """
                UPDATE trials SET state = 'failed', reason = 'lost-worker', requeued = TRUE, finished_at = \(unescaped: Self.now),
                    message = 'worker ' || COALESCE(worker, '?') || ' stopped renewing its claim (lease ended by the database clock)'
                WHERE experiment_id = \(lease.experiment) AND state = 'running' AND lease_until < \(unescaped: Self.now)
                RETURNING number
                """) { try $0.get("number", as: Int.self) }
            expired.withLock { $0 = numbers.sorted() }
        }
        return expired.withLock { $0 }
    }

    public func dropQueued(_ lease: OwnerLease) async throws {
        try await queue().commit(.init(lease)) { connection in
            // Enqueued parameters whose queued trial is dropped are queued again.
            try await connection.run(
                """
                UPDATE enqueued_params SET trial = NULL WHERE experiment_id = \(lease.experiment)
                AND trial IN (SELECT number FROM trials WHERE experiment_id = \(lease.experiment) AND state = 'queued')
                """)
            try await connection.run("DELETE FROM trials WHERE experiment_id = \(lease.experiment) AND state = 'queued'")
        }
    }

    public func claimTrials(experiment id: Int64, claim: ClaimIdentity, max: Int, leaseSeconds: Double) async throws -> [ClaimedTrial] {
        guard !readOnly else { throw StoreError.readOnly(path: location) }
        // The claim's subquery is materialized: inlined, its LIMIT could be re-evaluated per row and claim more.
        let rows = try await database.rows(
            """
            WITH q AS MATERIALIZED (
                SELECT number FROM trials WHERE experiment_id = \(id) AND state = 'queued'
                AND EXISTS (SELECT 1 FROM experiments WHERE id = \(id) AND state = 'running')
                ORDER BY number LIMIT \(max) FOR UPDATE SKIP LOCKED)
            UPDATE trials t SET state = 'running', worker = \(claim.worker), claim_token = \(claim.token),
                lease_until = \(unescaped: Self.now) + \(leaseSeconds), started_at = \(unescaped: Self.now)
            FROM q WHERE t.experiment_id = \(id) AND t.number = q.number
            RETURNING t.number, t.draw, t.params, t.attempt
            """
        ) { row in
            ClaimedTrial(
                number: try row.get("number"), draw: try row.get("draw"), params: Self.decodeParams(try row.get("params")),
                attempt: try row.get("attempt"))
        }
        return rows.sorted { $0.number < $1.number }
    }

    public func renewClaims(experiment id: Int64, claim: ClaimIdentity, trials: [Int], leaseSeconds: Double) async throws -> [Int] {
        guard !trials.isEmpty else { return [] }
        let held = Set(try await database.rows(
            """
            UPDATE trials SET lease_until = \(unescaped: Self.now) + \(leaseSeconds)
            WHERE experiment_id = \(id) AND number = ANY(\(trials)::bigint[]) AND state = 'running' AND claim_token = \(claim.token)
            RETURNING number
            """) { try $0.get("number", as: Int.self) })
        return trials.filter { !held.contains($0) }
    }

    public func reportClaimed(experiment id: Int64, claim: ClaimIdentity, trial number: Int, step: Int, values: [String: Double]) async throws -> Bool {
        let held = Mutex(false)
        let report = Self.reportOperation(experiment: id, trial: number, step: step, values: values)
        try await queue().commit(nil) { connection in
            // The row lock orders this report with the driver's expiry: one of them sees the other.
            let still = try await connection.row(
                """
                SELECT number FROM trials WHERE experiment_id = \(id) AND number = \(number) AND state = 'running'
                    AND claim_token = \(claim.token) FOR UPDATE
                """) { _ in true } ?? false
            guard still else { return }
            try await report(connection)
            held.withLock { $0 = true }
        }
        return held.withLock { $0 }
    }

    public func recordClaimedDecision(experiment id: Int64, trial number: Int, decision: SchedulerDecision) {
        guard !readOnly else { return }
        let now = Date().timeIntervalSince1970
        commits.submit(nil) { connection in
            try await connection.run(
                """
                INSERT INTO decisions (experiment_id, trial, step, action, reason, rung, cutoff, value, created_at)
                VALUES (\(id), \(number), \(decision.step), \(decision.action.rawValue), \(decision.reason), \(decision.rung),
                    \(decision.cutoff), \(decision.value), \(now))
                """)
        }
    }

    public func finishClaimed(experiment id: Int64, claim: ClaimIdentity, _ finishes: [TrialFinish], reports: [Int: [MetricReport]]) async throws -> [Bool] {
        guard !finishes.isEmpty else { return [] }
        guard !readOnly else { throw StoreError.readOnly(path: location) }
        // One statement for the whole batch; a retry after a lost connection recognises a first try that landed.
        let finish = PostgresClaimedFinish(experiment: id, claim: claim, finishes: finishes, reports: reports)
        let recorded = Set(try await database.rows({ retry in finish.query(recognising: retry) }) { try $0.get("number", as: Int.self) })
        return finishes.map { recorded.contains($0.number) }
    }

    public func releaseClaims(experiment id: Int64, claim: ClaimIdentity, trials: [Int]) async throws {
        guard !trials.isEmpty else { return }
        try await database.execute(
            """
            UPDATE trials SET state = 'queued', worker = NULL, claim_token = NULL, lease_until = NULL, started_at = NULL
            WHERE experiment_id = \(id) AND number = ANY(\(trials)::bigint[]) AND state = 'running' AND claim_token = \(claim.token)
            """)
    }
}
