import ForageCore
import ForageStore
import Foundation
import PostgresNIO

/// Ask/tell on the shared store: each `forage ask` or `forage tell` takes the experiment over for one call and leaves
/// the trials earlier asks handed out running, as the SQLite store does (see `ExternalTrialStore`).
extension PostgresExperimentStore: ExternalTrialStore {
    public func acquireExternal(_ name: String, owner: OwnerIdentity, leaseTimeout: Double) async throws
        -> (ExperimentRecord, OwnerLease, [ExternalTrial])
    {
        // Trial starts and renewals carry the asking machine's clock, so their ages are measured by it too.
        let now = Date().timeIntervalSince1970
        let expiredBefore = now - leaseTimeout
        let seconds = String(format: "%g", leaseTimeout)
        let (id, epoch, running) = try await write { connection -> (Int64, Int64, [ExternalTrial]) in
            guard let (id, epoch, current) = try await connection.row(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE name = \(name) FOR UPDATE", { row in
                    (try row.get("id", as: Int64.self), try row.get("owner_epoch", as: Int64.self), try Self.recordedOwner(row))
                })
            else { throw StoreError.noExperiment(name: name, known: try await Self.names(connection)) }
            if let current, current.mayBeAlive {
                throw StoreError.owned(name: name, owner: current.label, secondsAgo: current.heartbeatAge)
            }
            try await connection.run(
                """
                UPDATE trials SET state = 'failed', reason = 'lost-worker', requeued = TRUE, finished_at = \(now),
                    message = 'no forage tell for ' || \(seconds) || ' s: its lease expired'
                WHERE experiment_id = \(id) AND state = 'running'
                    AND GREATEST(COALESCE(renewed_at, 0), COALESCE(started_at, 0)) < \(expiredBefore)
                """)
            try await connection.run(
                """
                UPDATE trials SET state = 'failed', reason = 'interrupted', requeued = TRUE, finished_at = \(now),
                    message = 'the process running the experiment stopped while this trial was queued'
                WHERE experiment_id = \(id) AND state = 'queued'
                """)
            try await connection.run(
                """
                UPDATE experiments SET owner = \(owner.token), owner_pid = \(owner.pid), owner_host = \(owner.host),
                    owner_process = \(owner.process), heartbeat_at = \(unescaped: Self.now), owner_epoch = \(epoch + 1), state = 'running',
                    message = NULL, finished_at = NULL, started_at = COALESCE(started_at, \(now))
                WHERE id = \(id)
                """)
            let running = try await connection.rows(
                """
                SELECT number, draw, params, attempt, retry_of,
                    GREATEST(COALESCE(renewed_at, 0), COALESCE(started_at, 0)) AS active
                FROM trials WHERE experiment_id = \(id) AND state = 'running' ORDER BY number
                """
            ) { row in
                ExternalTrial(
                    number: try row.get("number"), draw: try row.get("draw"), params: Self.decodeParams(try row.get("params")),
                    attempt: try row.get("attempt"), retryOf: try row.get("retry_of", as: Int?.self),
                    lastActive: Date(timeIntervalSince1970: try row.get("active", as: Double.self)))
            }
            return (id, epoch + 1, running)
        }
        guard let record = try await experiment(named: name) else { throw StoreError.noExperiment(name: name, known: []) }
        return (record, OwnerLease(experiment: id, epoch: epoch, owner: owner), running)
    }

    public func renewTrial(_ lease: OwnerLease, trial number: Int, attempt: Int) {
        guard !readOnly else { return }
        let now = Date().timeIntervalSince1970
        commits.submit(.init(lease)) { connection in
            try await connection.run(
                """
                UPDATE trials SET renewed_at = \(now)
                WHERE experiment_id = \(lease.experiment) AND number = \(number) AND attempt = \(attempt) AND state = 'running'
                """)
        }
    }
}
