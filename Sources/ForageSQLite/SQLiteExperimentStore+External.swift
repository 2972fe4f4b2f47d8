import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteExperimentStore: ExternalTrialStore {
    public func acquireExternal(_ name: String, owner: OwnerIdentity, leaseTimeout: Double) async throws
        -> (ExperimentRecord, OwnerLease, [ExternalTrial])
    {
        let now = Date().timeIntervalSince1970
        let (id, epoch, running) = try await write { db -> (Int64, Int64, [ExternalTrial]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]) else {
                throw StoreError.noExperiment(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id"))
            }
            let id: Int64 = row["id"]
            if let current = Self.recordedOwner(row), current.mayBeAlive {
                throw StoreError.owned(name: name, owner: current.label, secondsAgo: current.heartbeatAge)
            }
            let epoch = (row["owner_epoch"] as Int64? ?? 0) + 1
            let seconds = String(format: "%g", leaseTimeout)
            try db.execute(
                sql: """
                    UPDATE trials SET state = 'failed', reason = 'lost-worker', requeued = 1, finished_at = ?,
                        message = 'no forage tell for ' || ? || ' s: its lease expired'
                    WHERE experiment_id = ? AND state = 'running' AND MAX(COALESCE(renewed_at, 0), COALESCE(started_at, 0)) < ?
                    """, arguments: [now, seconds, id, now - leaseTimeout])
            try db.execute(
                sql: """
                    UPDATE trials SET state = 'failed', reason = 'interrupted', requeued = 1, finished_at = ?,
                        message = 'the process running the experiment stopped while this trial was queued'
                    WHERE experiment_id = ? AND state = 'queued'
                    """, arguments: [now, id])
            try db.execute(
                sql: """
                    UPDATE experiments SET owner = ?, owner_pid = ?, owner_host = ?, owner_process = ?, heartbeat_at = ?,
                        owner_epoch = ?, state = 'running', message = NULL, finished_at = NULL, started_at = COALESCE(started_at, ?)
                    WHERE id = ?
                    """, arguments: [owner.token, owner.pid, owner.host, owner.process, now, epoch, now, id])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT number, draw, params, attempt, retry_of, MAX(COALESCE(renewed_at, 0), COALESCE(started_at, 0)) AS active
                    FROM trials WHERE experiment_id = ? AND state = 'running' ORDER BY number
                    """, arguments: [id])
            let running = try rows.map { row -> ExternalTrial in
                let text: String = row["params"]
                let params = try JSONDecoder().decode(ParameterSet.self, from: Data(text.utf8))
                return ExternalTrial(
                    number: row["number"], draw: row["draw"], params: params, attempt: row["attempt"], retryOf: row["retry_of"],
                    lastActive: Date(timeIntervalSince1970: row["active"]))
            }
            return (id, epoch, running)
        }
        guard let record = try await experiment(named: name) else { throw StoreError.noExperiment(name: name, known: []) }
        return (record, OwnerLease(experiment: id, epoch: epoch, owner: owner), running)
    }

    public func renewTrial(_ lease: OwnerLease, trial number: Int, attempt: Int) {
        let now = Date().timeIntervalSince1970
        commits?.submit(CommitQueue.Fence(lease)) { db in
            try db.execute(
                sql: "UPDATE trials SET renewed_at = ? WHERE experiment_id = ? AND number = ? AND attempt = ? AND state = 'running'",
                arguments: [now, lease.experiment, number, attempt])
        }
    }
}
