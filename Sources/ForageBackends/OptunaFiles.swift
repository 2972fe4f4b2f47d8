import ForageCore
import ForageSQLite
import ForageStore

/// Optuna storages (its RDB schema in SQLite), for the CLI's `export --format optuna` and `import optuna`: the
/// SQLite work lives in ForageSQLite (the one module that may use GRDB), reached through here like the stores.
public enum OptunaFiles {
    /// Writes `experiment` as an Optuna storage at `path` (a new file); returns the number of trials written.
    public static func export(_ experiment: ExperimentRecord, space: SearchSpace, from reader: any ExperimentReader, to path: String) async throws -> Int {
        try await OptunaExport.write(experiment, space: space, from: reader, to: path)
    }

    /// The trials of Optuna study `study` at storage URL `url` (`sqlite:///x.db`), checked against the spec.
    public static func read(url: String, study: String, objective: Objective, space: SearchSpace) throws -> (path: String, trials: [ImportedTrial]) {
        let path = try OptunaStudyReader.path(of: url)
        return (path, try OptunaStudyReader.read(path: path, study: study, objective: objective, space: space))
    }
}
