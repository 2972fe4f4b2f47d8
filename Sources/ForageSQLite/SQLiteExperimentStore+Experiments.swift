import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    public func createExperiment(_ spec: ExperimentSpec, specPath: String?, data: DataInfo?, owner: OwnerIdentity) async throws
        -> (ExperimentRecord, OwnerLease)
    {
        guard ExperimentName.isValid(spec.name) else { throw StoreError.invalidExperimentName(spec.name) }
        let now = Date().timeIntervalSince1970
        let names = String(decoding: (try? JSONEncoder().encode(spec.searchSpace.names)) ?? Data("[]".utf8), as: UTF8.self)
        let queued = spec.enqueue
        let id = try await write { db -> Int64 in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [spec.name]) != nil {
                throw StoreError.experimentExists(name: spec.name)
            }
            try db.execute(
                sql: """
                    INSERT INTO experiments (name, state, spec, spec_sha256, spec_path, objective_metric, direction,
                        budget_trials, budget_parallel, seed, forage_version, parameter_names,
                        data_path, data_sha256, data_rows, data_columns, split_train, split_validation, split_test,
                        created_at, started_at, owner, owner_pid, owner_host, heartbeat_at, owner_epoch, owner_process, goals)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                    """,
                arguments: [
                    spec.name, spec.source, SHA256Hex.of(spec.source), specPath, spec.objective.metric,
                    spec.objective.direction.rawValue, spec.budget.trials, spec.budget.parallel, Int64(bitPattern: spec.searcher.seed),
                    ForageVersion.current, names, data?.path, data?.sha256, data?.rows, data?.columns, data?.trainRows,
                    data?.validationRows, data?.testRows, now, now, owner.token, owner.pid, owner.host, now, owner.process,
                    GoalsText.encode(spec.goals),
                ])
            let id = db.lastInsertedRowID
            _ = try Self.insertEnqueued(db, experiment: id, queued, at: now)
            return id
        }
        guard let record = try await experiment(named: spec.name) else { throw StoreError.database("experiment vanished after insert") }
        return (record, OwnerLease(experiment: id, epoch: 1, owner: owner))
    }

    public func acquire(_ name: String, owner: OwnerIdentity, force: Bool) async throws -> (ExperimentRecord, OwnerLease) {
        if !force {
            // A live owner is refused from a read first: a frozen owner may hold the write lock, and the refusal
            // (naming it, and `--force`) must not wait for it. The write below checks again.
            try await read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]) else { return }
                if let current = Self.recordedOwner(row), current.mayBeAlive {
                    throw StoreError.owned(name: name, owner: current.label, secondsAgo: current.heartbeatAge)
                }
            }
        }
        let now = Date().timeIntervalSince1970
        let (id, epoch) = try await write { db -> (Int64, Int64) in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]) else {
                throw StoreError.noExperiment(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id"))
            }
            let id: Int64 = row["id"]
            if let current = Self.recordedOwner(row), !force, current.mayBeAlive {
                throw StoreError.owned(name: name, owner: current.label, secondsAgo: current.heartbeatAge)
            }
            let epoch = (row["owner_epoch"] as Int64? ?? 0) + 1
            try db.execute(
                sql: """
                    UPDATE trials SET state = 'failed', reason = 'interrupted', requeued = 1, finished_at = ?,
                        message = 'the process running the experiment stopped while this trial ran'
                    WHERE experiment_id = ? AND state IN ('running', 'queued')
                    """, arguments: [now, id])
            try db.execute(
                sql: """
                    UPDATE experiments SET owner = ?, owner_pid = ?, owner_host = ?, owner_process = ?, heartbeat_at = ?,
                        owner_epoch = ?, state = 'running', message = NULL, finished_at = NULL, started_at = COALESCE(started_at, ?)
                    WHERE id = ?
                    """, arguments: [owner.token, owner.pid, owner.host, owner.process, now, epoch, now, id])
            return (id, epoch)
        }
        guard let record = try await experiment(named: name) else { throw StoreError.noExperiment(name: name, known: []) }
        return (record, OwnerLease(experiment: id, epoch: epoch, owner: owner))
    }

    public func heartbeat(_ lease: OwnerLease) async throws {
        let now = Date().timeIntervalSince1970
        try await queue().commit(CommitQueue.Fence(lease)) { db in
            try db.execute(sql: "UPDATE experiments SET heartbeat_at = ? WHERE id = ?", arguments: [now, lease.experiment])
        }
        try file?.verify()
    }

    public func close(_ lease: OwnerLease, state: ExperimentState, message: String?) async throws {
        let now = Date().timeIntervalSince1970
        try file?.verify()
        try await queue().commit(CommitQueue.Fence(lease)) { db in
            try db.execute(
                sql: """
                    UPDATE experiments SET state = ?, message = ?, finished_at = ?, owner = NULL, owner_pid = NULL,
                        owner_process = NULL, heartbeat_at = NULL WHERE id = ?
                    """, arguments: [state.rawValue, message, state == .finished ? now : nil, lease.experiment])
        }
        // The commits must have reached the file this run was given, not one removed or replaced meanwhile.
        try file?.verify()
    }

    public func updateBudget(_ lease: OwnerLease, trials: Int, parallel: Int) async throws {
        try await queue().commit(CommitQueue.Fence(lease)) { db in
            try db.execute(
                sql: "UPDATE experiments SET budget_trials = ?, budget_parallel = ? WHERE id = ?",
                arguments: [trials, parallel, lease.experiment])
        }
    }

    public func recordDataVersion(_ lease: OwnerLease, _ data: DataInfo) async throws -> ExperimentRecord {
        try await queue().commit(CommitQueue.Fence(lease)) { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE id = ?", arguments: [lease.experiment]) else { return }
            let current = Self.experimentRecord(row)
            // Every version so far (the current one included) becomes history; the new one is current.
            let encoded = String(decoding: (try? JSONEncoder().encode(current.dataVersions)) ?? Data("[]".utf8), as: UTF8.self)
            try db.execute(
                sql: """
                    UPDATE experiments SET data_versions = ?, data_path = ?, data_sha256 = ?, data_rows = ?, data_columns = ?,
                        split_train = ?, split_validation = ?, split_test = ? WHERE id = ?
                    """,
                arguments: [
                    encoded, data.path, data.sha256, data.rows, data.columns, data.trainRows, data.validationRows, data.testRows,
                    lease.experiment,
                ])
        }
        guard let record = try await read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE id = ?", arguments: [lease.experiment]).map(Self.experimentRecord)
        }) else { throw StoreError.database("the experiment vanished while its data version was recorded") }
        return record
    }

    /// Runs `body` on an experiment that no live process owns, in one write transaction.
    private func withIdleExperiment<T: Sendable>(_ name: String, _ body: @escaping @Sendable (Database, Int64) throws -> T) async throws -> T {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]) else {
                throw StoreError.noExperiment(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id"))
            }
            if (row["state"] as String?) == ExperimentState.running.rawValue, let owner = Self.recordedOwner(row), owner.mayBeAlive {
                throw StoreError.owned(name: name, owner: owner.label, secondsAgo: owner.heartbeatAge)
            }
            return try body(db, row["id"])
        }
    }

    public func deleteExperiment(named name: String) async throws {
        guard ExperimentName.isValid(name) else { throw StoreError.invalidExperimentName(name) }
        try await withIdleExperiment(name) { db, id in
            try db.execute(sql: "DELETE FROM experiments WHERE id = ?", arguments: [id])
        }
        try? FileManager.default.removeItem(at: try layout.trialsDirectory(experiment: name))
    }

    public func renameExperiment(_ name: String, to newName: String) async throws {
        guard ExperimentName.isValid(newName) else { throw StoreError.invalidExperimentName(newName) }
        let from = try layout.trialsDirectory(experiment: name)
        let to = try layout.trialsDirectory(experiment: newName)
        try await withIdleExperiment(name) { db, id in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [newName]) != nil {
                throw StoreError.experimentExists(name: newName)
            }
            try db.execute(sql: "UPDATE experiments SET name = ? WHERE id = ?", arguments: [newName, id])
            // The folder moves inside the transaction: if it cannot, the name does not change either.
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
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]) else {
                throw StoreError.noExperiment(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id"))
            }
            var tags = Self.experimentRecord(row).tags
            for (key, value) in changes { tags[key] = value }
            let encoded = String(decoding: (try? JSONEncoder().encode(tags)) ?? Data("{}".utf8), as: UTF8.self)
            try db.execute(sql: "UPDATE experiments SET tags = ? WHERE name = ?", arguments: [encoded, name])
        }
        return try await requireExperiment(name)
    }

    public func experiment(named name: String) async throws -> ExperimentRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]).map(Self.experimentRecord)
        }
    }

    public func experiments() async throws -> [ExperimentRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM experiments ORDER BY id").map(Self.experimentRecord) }
    }

    public func experimentNames() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id") }
    }

    /// The owner an experiment row records, or nil when it has none.
    static func recordedOwner(_ row: Row) -> RecordedOwner? {
        guard let _: String = row["owner"] else { return nil }
        let heartbeat: Double = row["heartbeat_at"] ?? 0
        return RecordedOwner(
            pid: row["owner_pid"] ?? 0, host: row["owner_host"] ?? "", process: row["owner_process"] ?? "",
            heartbeatAge: Date().timeIntervalSince1970 - heartbeat)
    }

    static func experimentRecord(_ row: Row) -> ExperimentRecord {
        let names = (row["parameter_names"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        var data: DataInfo?
        if let sha: String = row["data_sha256"] {
            data = DataInfo(
                path: row["data_path"] ?? "", sha256: sha, rows: row["data_rows"] ?? 0, columns: row["data_columns"] ?? 0,
                trainRows: row["split_train"] ?? 0, validationRows: row["split_validation"] ?? 0, testRows: row["split_test"] ?? 0)
        }
        var versions = (row["data_versions"] as String?).flatMap { try? JSONDecoder().decode([DataInfo].self, from: Data($0.utf8)) } ?? []
        if let data { versions.append(data) }
        let tags = (row["tags"] as String?).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        let seed: Int64 = row["seed"] ?? 0
        let objective = Objective(metric: row["objective_metric"] ?? "value", direction: Direction(rawValue: row["direction"] ?? "") ?? .minimize)
        var state = ExperimentState(rawValue: row["state"] ?? "") ?? .interrupted
        // A running state whose owner is gone (killed, crashed) is an interrupted experiment.
        if state == .running, Self.recordedOwner(row)?.mayBeAlive != true { state = .interrupted }
        return ExperimentRecord(
            id: row["id"], name: row["name"], state: state,
            spec: row["spec"] ?? "", specSHA256: row["spec_sha256"] ?? "", specPath: row["spec_path"],
            objective: objective,
            budgetTrials: row["budget_trials"] ?? 0, budgetParallel: row["budget_parallel"] ?? 1, seed: UInt64(bitPattern: seed),
            forageVersion: row["forage_version"] ?? "", parameterNames: names, data: data, dataVersions: versions, tags: tags,
            message: row["message"],
            createdAt: Date(timeIntervalSince1970: row["created_at"] ?? 0),
            startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            goals: GoalsText.decode(row.hasColumn("goals") ? row["goals"] : nil, objective: objective))
    }
}
