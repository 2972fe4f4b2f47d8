import ForageCore
import ForageStore
import Foundation
import PostgresNIO

/// The experiment store in a PostgreSQL database (schema of `PostgresSchema`), shared by every machine that can
/// reach the server. Trial folders (logs, checkpoints) stay on the machine that ran the trial, under `layout`; the
/// model files in them are kept in the database as well (`TrialFileStore`), so any machine can promote a trial.
///
/// Reads run in their own statements at `READ COMMITTED` and never wait for writers; owner writes go through a
/// group-commit queue fenced by the experiment's epoch, like the SQLite store's; heartbeats use the database's
/// clock, so machines with skewed clocks agree on an owner's age.
public final class PostgresExperimentStore: ExperimentStore {
    public let layout: StoreLayout
    public var location: String { database.location.display }
    let database: PostgresDatabase
    let commits: PostgresCommitQueue
    let readOnly: Bool

    /// A store over an open database whose schema was checked (see `PostgresStores.open`).
    init(database: PostgresDatabase, layout: StoreLayout, readOnly: Bool) {
        self.database = database
        self.layout = layout
        self.readOnly = readOnly
        commits = PostgresCommitQueue(database: database)
    }

    /// The commit queue, or `readOnly` for a store opened for reading.
    func queue() throws -> PostgresCommitQueue {
        guard !readOnly else { throw StoreError.readOnly(path: location) }
        return commits
    }

    /// One write transaction now (not batched).
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard !readOnly else { throw StoreError.readOnly(path: location) }
        return try await database.transaction(body)
    }

    public func flush() async throws {
        try await queue().flush()
    }

    /// The database clock in seconds since 1970, as SQL.
    static let now = "extract(epoch from clock_timestamp())::float8"
}

extension PostgresExperimentStore {
    /// The columns every experiment query selects, with the owner's heartbeat age by the database's clock.
    static let experimentColumns = "*, (\(now) - heartbeat_at) AS heartbeat_age"

    static func recordedOwner(_ row: PostgresRandomAccessRow) throws -> RecordedOwner? {
        guard try row.get("owner", as: String?.self) != nil else { return nil }
        return RecordedOwner(
            pid: try row.get("owner_pid", as: Int32?.self) ?? 0, host: try row.get("owner_host", as: String?.self) ?? "",
            process: try row.get("owner_process", as: String?.self) ?? "",
            heartbeatAge: try row.get("heartbeat_age", as: Double?.self) ?? .infinity)
    }

    static func experimentRecord(_ row: PostgresRandomAccessRow) throws -> ExperimentRecord {
        func decode<T: Decodable>(_ column: String, _ type: T.Type) throws -> T? {
            try row.get(column, as: String?.self).flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
        }
        var data: DataInfo?
        if let sha = try row.get("data_sha256", as: String?.self) {
            data = DataInfo(
                path: try row.get("data_path", as: String?.self) ?? "", sha256: sha, rows: try row.get("data_rows", as: Int?.self) ?? 0,
                columns: try row.get("data_columns", as: Int?.self) ?? 0, trainRows: try row.get("split_train", as: Int?.self) ?? 0,
                validationRows: try row.get("split_validation", as: Int?.self) ?? 0, testRows: try row.get("split_test", as: Int?.self) ?? 0)
        }
        var versions = try decode("data_versions", [DataInfo].self) ?? []
        if let data { versions.append(data) }
        var state = ExperimentState(rawValue: try row.get("state", as: String.self)) ?? .interrupted
        if state == .running, try recordedOwner(row)?.mayBeAlive != true { state = .interrupted }
        let objective = Objective(
            metric: try row.get("objective_metric"), direction: Direction(rawValue: try row.get("direction", as: String.self)) ?? .minimize)
        // A database not yet migrated to 8 has no goals column (readers never migrate).
        let goals = (try? row.get("goals", as: String?.self)) ?? nil
        return ExperimentRecord(
            id: try row.get("id"), name: try row.get("name"), state: state, spec: try row.get("spec"), specSHA256: try row.get("spec_sha256"),
            specPath: try row.get("spec_path"),
            objective: objective,
            budgetTrials: try row.get("budget_trials"), budgetParallel: try row.get("budget_parallel"),
            seed: UInt64(bitPattern: try row.get("seed", as: Int64.self)), forageVersion: try row.get("forage_version"),
            parameterNames: try decode("parameter_names", [String].self) ?? [], data: data, dataVersions: versions,
            tags: try decode("tags", [String: String].self) ?? [:], message: try row.get("message"),
            createdAt: Date(timeIntervalSince1970: try row.get("created_at")),
            startedAt: try row.get("started_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)),
            finishedAt: try row.get("finished_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)),
            goals: GoalsText.decode(goals, objective: objective))
    }

    /// Every experiment name, oldest first, for `noExperiment` messages.
    static func names(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.rows("SELECT name FROM experiments ORDER BY id") { try $0.get("name", as: String.self) }
    }
}
