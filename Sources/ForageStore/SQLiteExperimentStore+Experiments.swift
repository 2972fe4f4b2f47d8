import ForageCore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    /// Creates the experiment and makes `owner` its owner, in one transaction.
    public func createExperiment(_ spec: ExperimentSpec, specPath: String?, data: DataInfo?, owner: OwnerIdentity) throws -> ExperimentRecord {
        let now = Date().timeIntervalSince1970
        let names = String(decoding: (try? JSONEncoder().encode(spec.searchSpace.names)) ?? Data("[]".utf8), as: UTF8.self)
        try write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [spec.name]) != nil {
                throw StoreError.experimentExists(name: spec.name)
            }
            try db.execute(
                sql: """
                    INSERT INTO experiments (name, state, spec, spec_sha256, spec_path, objective_metric, direction,
                        budget_trials, budget_parallel, seed, forage_version, parameter_names,
                        data_path, data_sha256, data_rows, data_columns, split_train, split_validation, split_test,
                        created_at, started_at, owner, owner_pid, owner_host, heartbeat_at)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    spec.name, spec.source, SHA256Hex.of(spec.source), specPath, spec.objective.metric,
                    spec.objective.direction.rawValue, spec.budget.trials, spec.budget.parallel, Int64(bitPattern: spec.searcher.seed),
                    ForageVersion.current, names, data?.path, data?.sha256, data?.rows, data?.columns, data?.trainRows,
                    data?.validationRows, data?.testRows, now, now, owner.token, owner.pid, owner.host, now,
                ])
        }
        guard let record = try experiment(named: spec.name) else { throw StoreError.database("experiment vanished after insert") }
        return record
    }

    /// Takes ownership of an existing experiment for `resume`: refuses while a live owner holds it, then marks the
    /// trials it left running as failed (`interrupted`) and re-queued, all in one transaction.
    @discardableResult
    public func acquire(_ name: String, owner: OwnerIdentity) throws -> ExperimentRecord {
        let now = Date().timeIntervalSince1970
        let known = try experimentNames()
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, owner, owner_pid, owner_host, heartbeat_at FROM experiments WHERE name = ?", arguments: [name])
            else { throw StoreError.noExperiment(name: name, known: known) }
            let id: Int64 = row["id"]
            if let current: String = row["owner"], current != owner.token {
                let pid: Int32 = row["owner_pid"] ?? 0
                let host: String = row["owner_host"] ?? ""
                let heartbeat: Double = row["heartbeat_at"] ?? 0
                if OwnerIdentity.mayBeAlive(pid: pid, host: host, heartbeatAge: now - heartbeat) {
                    throw StoreError.owned(name: name, owner: "pid \(pid) on \(host)", secondsAgo: now - heartbeat)
                }
            }
            try db.execute(
                sql: """
                    UPDATE trials SET state = 'failed', reason = 'interrupted', requeued = 1, finished_at = ?,
                        message = 'the process running the experiment stopped while this trial ran'
                    WHERE experiment_id = ? AND state IN ('running', 'queued')
                    """, arguments: [now, id])
            try db.execute(
                sql: """
                    UPDATE experiments SET owner = ?, owner_pid = ?, owner_host = ?, heartbeat_at = ?, state = 'running',
                        message = NULL, finished_at = NULL, started_at = COALESCE(started_at, ?) WHERE id = ?
                    """, arguments: [owner.token, owner.pid, owner.host, now, now, id])
        }
        guard let record = try experiment(named: name) else { throw StoreError.noExperiment(name: name, known: known) }
        return record
    }

    /// Renews the ownership lease (batched with trial writes).
    public func heartbeat(experiment id: Int64, owner: OwnerIdentity) {
        let now = Date().timeIntervalSince1970
        commits.submit { db in
            try db.execute(sql: "UPDATE experiments SET heartbeat_at = ? WHERE id = ? AND owner = ?", arguments: [now, id, owner.token])
        }
    }

    /// Sets the experiment's final or paused state, releases ownership and commits before returning.
    public func close(experiment id: Int64, state: ExperimentState, message: String?, owner: OwnerIdentity) async throws {
        let now = Date().timeIntervalSince1970
        try await commits.commit { db in
            try db.execute(
                sql: """
                    UPDATE experiments SET state = ?, message = ?, finished_at = ?, owner = NULL, owner_pid = NULL,
                        heartbeat_at = NULL WHERE id = ? AND owner = ?
                    """, arguments: [state.rawValue, message, state == .finished ? now : nil, id, owner.token])
        }
    }

    /// Raises the experiment's total trial budget (`resume --trials N`) and records the parallelism in use.
    public func updateBudget(experiment id: Int64, trials: Int, parallel: Int) async throws {
        try await commits.commit { db in
            try db.execute(sql: "UPDATE experiments SET budget_trials = ?, budget_parallel = ? WHERE id = ?", arguments: [trials, parallel, id])
        }
    }

    /// The experiment with this name, or nil.
    public func experiment(named name: String) throws -> ExperimentRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]).map(Self.experimentRecord)
        }
    }

    /// The experiment with this name, or an error listing the known names.
    public func requireExperiment(_ name: String) throws -> ExperimentRecord {
        if let record = try experiment(named: name) { return record }
        throw StoreError.noExperiment(name: name, known: try experimentNames())
    }

    /// Every experiment, oldest first.
    public func experiments() throws -> [ExperimentRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM experiments ORDER BY id").map(Self.experimentRecord) }
    }

    public func experimentNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id") }
    }

    /// Whether a live process owns the experiment now (its state says running and its lease is fresh).
    public func isOwnedByLiveProcess(_ name: String) throws -> Bool {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT owner, owner_pid, owner_host, heartbeat_at FROM experiments WHERE name = ?", arguments: [name]),
                let _: String = row["owner"]
            else { return false }
            let heartbeat: Double = row["heartbeat_at"] ?? 0
            return OwnerIdentity.mayBeAlive(pid: row["owner_pid"] ?? 0, host: row["owner_host"] ?? "", heartbeatAge: Date().timeIntervalSince1970 - heartbeat)
        }
    }

    static func experimentRecord(_ row: Row) -> ExperimentRecord {
        let names = (row["parameter_names"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        var data: DataInfo?
        if let sha: String = row["data_sha256"] {
            data = DataInfo(
                path: row["data_path"] ?? "", sha256: sha, rows: row["data_rows"] ?? 0, columns: row["data_columns"] ?? 0,
                trainRows: row["split_train"] ?? 0, validationRows: row["split_validation"] ?? 0, testRows: row["split_test"] ?? 0)
        }
        let seed: Int64 = row["seed"] ?? 0
        var state = ExperimentState(rawValue: row["state"] ?? "") ?? .interrupted
        if state == .running {
            // A running state whose owner is gone (killed, crashed) is an interrupted experiment.
            let heartbeat: Double = row["heartbeat_at"] ?? 0
            let alive = OwnerIdentity.mayBeAlive(
                pid: row["owner_pid"] ?? 0, host: row["owner_host"] ?? "", heartbeatAge: Date().timeIntervalSince1970 - heartbeat)
            if !alive { state = .interrupted }
        }
        return ExperimentRecord(
            id: row["id"], name: row["name"], state: state,
            spec: row["spec"] ?? "", specSHA256: row["spec_sha256"] ?? "", specPath: row["spec_path"],
            objective: Objective(metric: row["objective_metric"] ?? "value", direction: Direction(rawValue: row["direction"] ?? "") ?? .minimize),
            budgetTrials: row["budget_trials"] ?? 0, budgetParallel: row["budget_parallel"] ?? 1, seed: UInt64(bitPattern: seed),
            forageVersion: row["forage_version"] ?? "", parameterNames: names, data: data, message: row["message"],
            createdAt: Date(timeIntervalSince1970: row["created_at"] ?? 0),
            startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}
