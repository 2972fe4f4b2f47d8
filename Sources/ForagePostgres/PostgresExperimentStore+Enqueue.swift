import ForageCore
import ForageStore
import Foundation
import PostgresNIO

extension PostgresExperimentStore {
    public func enqueue(_ experiment: ExperimentRecord, _ params: [ParameterSet]) async throws -> [EnqueuedParameters] {
        let id = experiment.id
        let now = Date().timeIntervalSince1970
        return try await write { connection in
            guard try await connection.row("SELECT id FROM experiments WHERE id = \(id) FOR SHARE", { try $0.get("id", as: Int64.self) }) != nil else {
                throw StoreError.noExperiment(name: experiment.name, known: try await Self.names(connection))
            }
            return try await Self.insertEnqueued(connection, experiment: id, params, at: now)
        }
    }

    public func pendingEnqueued(_ experiment: ExperimentRecord) async throws -> [EnqueuedParameters] {
        try await database.rows(
            "SELECT id, params FROM enqueued_params WHERE experiment_id = \(experiment.id) AND trial IS NULL ORDER BY id"
        ) { row in EnqueuedParameters(id: try row.get("id"), params: Self.decodeParams(try row.get("params"))) }
    }

    /// Inserts queued parameter sets of experiment `id` inside the caller's transaction.
    static func insertEnqueued(_ connection: PostgresConnection, experiment id: Int64, _ params: [ParameterSet], at now: Double) async throws
        -> [EnqueuedParameters]
    {
        var queued: [EnqueuedParameters] = []
        for values in params {
            let text = values.jsonString
            let rows = try await connection.rows(
                "INSERT INTO enqueued_params (experiment_id, params, created_at) VALUES (\(id), \(text), \(now)) RETURNING id"
            ) { try $0.get("id", as: Int64.self) }
            guard let key = rows.first else { throw StoreError.database("enqueued parameters were not stored") }
            queued.append(EnqueuedParameters(id: key, params: values))
        }
        return queued
    }
}
