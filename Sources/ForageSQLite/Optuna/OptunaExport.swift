import ForageCore
import ForageStore
import Foundation
import GRDB

/// `forage export NAME --format optuna`: writes an experiment as an Optuna storage (its RDB schema in SQLite) that
/// `optuna.load_study`, optuna-dashboard and `optuna.visualization` open: the same trials in the same order, their
/// states, parameters with their distributions, objective values, intermediate values of the objective, and the
/// other final metrics as user attributes.
///
/// Reads the experiment through the store protocol (any backend), page by page, so memory stays flat.
public enum OptunaExport {
    /// Trials written per transaction.
    static let pageSize = 500

    /// Writes `experiment` (whose search space is `space`) to a new SQLite file at `path`; refuses a file that exists.
    /// Returns the number of trials written.
    @discardableResult
    public static func write(
        _ experiment: ExperimentRecord, space: SearchSpace, from reader: any ExperimentReader, to path: String
    ) async throws -> Int {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw OptunaError("\(path) exists; remove it or give another --output (an export never overwrites a file)")
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path)
        } catch {
            throw OptunaError("cannot create \(path): \(Self.reason(error))")
        }
        do {
            try await queue.write { db in
                try db.execute(sql: OptunaSchema.tables)
                try db.execute(sql: "INSERT INTO studies (study_id, study_name) VALUES (1, ?)", arguments: [experiment.name])
                try db.execute(
                    sql: "INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)",
                    arguments: [OptunaSchema.schemaVersion, OptunaSchema.libraryVersion])
                try db.execute(sql: "INSERT INTO alembic_version (version_num) VALUES (?)", arguments: [OptunaSchema.alembicRevision])
                try db.execute(
                    sql: "INSERT INTO study_directions (study_direction_id, direction, study_id, objective) VALUES (1, ?, 1, 0)",
                    arguments: [experiment.objective.direction == .minimize ? "MINIMIZE" : "MAXIMIZE"])
                try db.execute(
                    sql: #"INSERT INTO study_user_attributes (study_id, "key", value_json) VALUES (1, 'forage_objective', ?)"#,
                    arguments: [JSONText.quoted(experiment.objective.metric)])
            }
            var written = 0
            var last: Int?
            while true {
                let page = try await reader.trialPage(experiment, state: nil, after: last, limit: pageSize)
                guard let final = page.last else { break }
                last = final.number
                let curves = try await reader.curves(experiment, metric: experiment.objective.metric, trials: page.map(\.number))
                try await queue.write { db in
                    for trial in page { try insert(trial, curve: curves[trial.number] ?? [], space: space, db) }
                }
                written += page.count
            }
            return written
        } catch let error as OptunaError {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw OptunaError("cannot write \(path): \(Self.reason(error))")
        }
    }

    static func insert(_ trial: TrialRecord, curve: [CurvePoint], space: SearchSpace, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (?, 1, ?, ?, ?)",
            arguments: [trial.number, OptunaSchema.state(trial.state), OptunaSchema.datetime(trial.startedAt), OptunaSchema.datetime(trial.finishedAt)])
        let id = db.lastInsertedRowID
        for (name, value) in trial.params {
            guard let distribution = space[name]?.distribution, let stored = OptunaSchema.internalValue(value, in: distribution) else {
                throw OptunaError("trial \(trial.number): parameter '\(name)' = \(value) is not in the experiment's search space")
            }
            try db.execute(
                sql: "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)",
                arguments: [id, name, stored, OptunaSchema.distributionJSON(distribution)])
        }
        if trial.state == .completed, let value = trial.value, let type = OptunaSchema.valueType(value) {
            try db.execute(
                sql: "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, 0, ?, ?)",
                arguments: [id, value.isFinite ? value : nil, type])
        }
        for point in curve {
            guard let type = OptunaSchema.valueType(point.value) else { continue }
            try db.execute(
                sql: "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?)",
                arguments: [id, point.step, point.value.isFinite ? point.value : nil, type])
        }
        var attributes: [(String, String)] = trial.metrics.sorted { $0.key < $1.key }.map { ($0.key, OptunaSchema.json($0.value)) }
        attributes.append(("forage_trial", String(trial.number)))
        if let reason = trial.reason { attributes.append(("forage_reason", JSONText.quoted(reason.rawValue))) }
        if let retryOf = trial.retryOf { attributes.append(("forage_retry_of", String(retryOf))) }
        for (key, json) in attributes {
            try db.execute(sql: #"INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (?, ?, ?)"#, arguments: [id, key, json])
        }
    }

    static func reason(_ error: any Error) -> String {
        if let database = error as? DatabaseError { return database.message ?? "SQLite error \(database.resultCode)" }
        return "\(error)"
    }
}
