import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    public func enqueue(_ experiment: ExperimentRecord, _ params: [ParameterSet]) async throws -> [EnqueuedParameters] {
        let id = experiment.id
        let now = Date().timeIntervalSince1970
        return try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE id = ?", arguments: [id]) != nil else {
                throw StoreError.noExperiment(name: experiment.name, known: try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id"))
            }
            return try Self.insertEnqueued(db, experiment: id, params, at: now)
        }
    }

    public func pendingEnqueued(_ experiment: ExperimentRecord) async throws -> [EnqueuedParameters] {
        let id = experiment.id
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, params FROM enqueued_params WHERE experiment_id = ? AND trial IS NULL ORDER BY id", arguments: [id]
            ).map { row in EnqueuedParameters(id: row["id"], params: Self.decodeParams(row["params"])) }
        }
    }

    /// Inserts queued parameter sets of experiment `id` inside the caller's transaction.
    static func insertEnqueued(_ db: Database, experiment id: Int64, _ params: [ParameterSet], at now: Double) throws -> [EnqueuedParameters] {
        let statement = try db.cachedStatement(sql: "INSERT INTO enqueued_params (experiment_id, params, created_at) VALUES (?, ?, ?)")
        return try params.map { values in
            try statement.execute(arguments: [id, values.jsonString, now])
            return EnqueuedParameters(id: db.lastInsertedRowID, params: values)
        }
    }
}
