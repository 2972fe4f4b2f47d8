import ForageCore
import ForageStore
import Foundation
import PostgresNIO

extension PostgresExperimentStore {
    public func createExperiment(_ spec: ExperimentSpec, specPath: String?, data: DataInfo?, owner: OwnerIdentity) async throws
        -> (ExperimentRecord, OwnerLease)
    {
        guard ExperimentName.isValid(spec.name) else { throw StoreError.invalidExperimentName(spec.name) }
        let now = Date().timeIntervalSince1970
        let names = String(decoding: (try? JSONEncoder().encode(spec.searchSpace.names)) ?? Data("[]".utf8), as: UTF8.self)
        let seed = Int64(bitPattern: spec.searcher.seed)
        let sha = SHA256Hex.of(spec.source)
        let queued = spec.enqueue
        let id = try await write { connection -> Int64 in
            let rows = try await connection.rows(
                """
                INSERT INTO experiments (name, state, spec, spec_sha256, spec_path, objective_metric, direction,
                    budget_trials, budget_parallel, seed, forage_version, parameter_names,
                    data_path, data_sha256, data_rows, data_columns, split_train, split_validation, split_test,
                    created_at, started_at, owner, owner_pid, owner_host, heartbeat_at, owner_epoch, owner_process, goals)
                VALUES (\(spec.name), 'running', \(spec.source), \(sha), \(specPath), \(spec.objective.metric),
                    \(spec.objective.direction.rawValue), \(spec.budget.trials), \(spec.budget.parallel), \(seed), \(ForageVersion.current),
                    \(names), \(data?.path), \(data?.sha256), \(data?.rows), \(data?.columns), \(data?.trainRows), \(data?.validationRows),
                    \(data?.testRows), \(now), \(now), \(owner.token), \(owner.pid), \(owner.host), \(unescaped: Self.now), 1, \(owner.process),
                    \(GoalsText.encode(spec.goals)))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """
            ) { try $0.get("id", as: Int64.self) }
            guard let id = rows.first else { throw StoreError.experimentExists(name: spec.name) }
            _ = try await Self.insertEnqueued(connection, experiment: id, queued, at: now)
            return id
        }
        guard let record = try await experiment(named: spec.name) else { throw StoreError.database("experiment vanished after insert") }
        return (record, OwnerLease(experiment: id, epoch: 1, owner: owner))
    }

    public func acquire(_ name: String, owner: OwnerIdentity, force: Bool) async throws -> (ExperimentRecord, OwnerLease) {
        let now = Date().timeIntervalSince1970
        let (id, epoch) = try await write { connection -> (Int64, Int64) in
            guard let (id, epoch, current) = try await connection.row(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE name = \(name) FOR UPDATE", { row in
                    (try row.get("id", as: Int64.self), try row.get("owner_epoch", as: Int64.self), try Self.recordedOwner(row))
                })
            else { throw StoreError.noExperiment(name: name, known: try await Self.names(connection)) }
            if let current, !force, current.mayBeAlive {
                throw StoreError.owned(name: name, owner: current.label, secondsAgo: current.heartbeatAge)
            }
            try await connection.run(
                """
                UPDATE trials SET state = 'failed', reason = 'interrupted', requeued = TRUE, finished_at = \(now),
                    message = 'the process running the experiment stopped while this trial ran'
                WHERE experiment_id = \(id) AND state IN ('running', 'queued')
                """)
            try await connection.run(
                """
                UPDATE experiments SET owner = \(owner.token), owner_pid = \(owner.pid), owner_host = \(owner.host),
                    owner_process = \(owner.process), heartbeat_at = \(unescaped: Self.now), owner_epoch = \(epoch + 1), state = 'running',
                    message = NULL, finished_at = NULL, started_at = COALESCE(started_at, \(now))
                WHERE id = \(id)
                """)
            return (id, epoch + 1)
        }
        guard let record = try await experiment(named: name) else { throw StoreError.noExperiment(name: name, known: []) }
        return (record, OwnerLease(experiment: id, epoch: epoch, owner: owner))
    }

    public func heartbeat(_ lease: OwnerLease) async throws {
        try await queue().commit(.init(lease)) { connection in
            try await connection.run("UPDATE experiments SET heartbeat_at = \(unescaped: Self.now) WHERE id = \(lease.experiment)")
        }
    }

    public func close(_ lease: OwnerLease, state: ExperimentState, message: String?) async throws {
        let finished: Double? = state == .finished ? Date().timeIntervalSince1970 : nil
        try await queue().commit(.init(lease)) { connection in
            try await connection.run(
                """
                UPDATE experiments SET state = \(state.rawValue), message = \(message), finished_at = \(finished), owner = NULL,
                    owner_pid = NULL, owner_process = NULL, heartbeat_at = NULL WHERE id = \(lease.experiment)
                """)
        }
    }

    public func updateBudget(_ lease: OwnerLease, trials: Int, parallel: Int) async throws {
        try await queue().commit(.init(lease)) { connection in
            try await connection.run(
                "UPDATE experiments SET budget_trials = \(trials), budget_parallel = \(parallel) WHERE id = \(lease.experiment)")
        }
    }

    public func recordDataVersion(_ lease: OwnerLease, _ data: DataInfo) async throws -> ExperimentRecord {
        try await queue().commit(.init(lease)) { connection in
            guard let current = try await connection.row(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE id = \(lease.experiment)", Self.experimentRecord)
            else { return }
            let encoded = String(decoding: (try? JSONEncoder().encode(current.dataVersions)) ?? Data("[]".utf8), as: UTF8.self)
            try await connection.run(
                """
                UPDATE experiments SET data_versions = \(encoded), data_path = \(data.path), data_sha256 = \(data.sha256),
                    data_rows = \(data.rows), data_columns = \(data.columns), split_train = \(data.trainRows),
                    split_validation = \(data.validationRows), split_test = \(data.testRows) WHERE id = \(lease.experiment)
                """)
        }
        let rows = try await database.rows(
            "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE id = \(lease.experiment)", Self.experimentRecord)
        guard let record = rows.first else { throw StoreError.database("the experiment vanished while its data version was recorded") }
        return record
    }

    /// Runs `body` on an experiment no live process owns, in one write transaction (the row locked).
    private func withIdleExperiment<T: Sendable>(
        _ name: String, _ body: @Sendable (PostgresConnection, Int64) async throws -> T
    ) async throws -> T {
        try await write { connection in
            guard let (id, state, owner) = try await connection.row(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE name = \(name) FOR UPDATE", { row in
                    (try row.get("id", as: Int64.self), try row.get("state", as: String.self), try Self.recordedOwner(row))
                })
            else { throw StoreError.noExperiment(name: name, known: try await Self.names(connection)) }
            if state == ExperimentState.running.rawValue, let owner, owner.mayBeAlive {
                throw StoreError.owned(name: name, owner: owner.label, secondsAgo: owner.heartbeatAge)
            }
            return try await body(connection, id)
        }
    }

    public func deleteExperiment(named name: String) async throws {
        guard ExperimentName.isValid(name) else { throw StoreError.invalidExperimentName(name) }
        try await withIdleExperiment(name) { connection, id in
            try await connection.run("DELETE FROM experiments WHERE id = \(id)")
        }
        try? FileManager.default.removeItem(at: try layout.trialsDirectory(experiment: name))
    }

    public func renameExperiment(_ name: String, to newName: String) async throws {
        guard ExperimentName.isValid(newName) else { throw StoreError.invalidExperimentName(newName) }
        let from = try layout.trialsDirectory(experiment: name)
        let to = try layout.trialsDirectory(experiment: newName)
        try await withIdleExperiment(name) { connection, id in
            if try await connection.row("SELECT 1 AS one FROM experiments WHERE name = \(newName)", { _ in true }) != nil {
                throw StoreError.experimentExists(name: newName)
            }
            try await connection.run("UPDATE experiments SET name = \(newName) WHERE id = \(id)")
            if FileManager.default.fileExists(atPath: from.path) {
                do {
                    try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try FileManager.default.moveItem(at: from, to: to)
                } catch {
                    throw StoreError.database("cannot move the trial folders \(from.path) to \(to.path): \(FileProblem.reason(error, path: to.path))")
                }
            }
        }
    }

    public func tagExperiment(_ name: String, _ changes: [String: String?]) async throws -> ExperimentRecord {
        try await write { connection in
            guard let record = try await connection.row(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE name = \(name) FOR UPDATE", Self.experimentRecord)
            else { throw StoreError.noExperiment(name: name, known: try await Self.names(connection)) }
            var tags = record.tags
            for (key, value) in changes { tags[key] = value }
            let encoded = String(decoding: (try? JSONEncoder().encode(tags)) ?? Data("{}".utf8), as: UTF8.self)
            try await connection.run("UPDATE experiments SET tags = \(encoded) WHERE id = \(record.id)")
        }
        return try await requireExperiment(name)
    }

    public func experiment(named name: String) async throws -> ExperimentRecord? {
        try await database.rows(
            "SELECT \(unescaped: Self.experimentColumns) FROM experiments WHERE name = \(name)", Self.experimentRecord
        ).first
    }

    public func experiments() async throws -> [ExperimentRecord] {
        try await database.rows("SELECT \(unescaped: Self.experimentColumns) FROM experiments ORDER BY id", Self.experimentRecord)
    }

    public func experimentNames() async throws -> [String] {
        try await database.rows("SELECT name FROM experiments ORDER BY id") { try $0.get("name", as: String.self) }
    }
}
