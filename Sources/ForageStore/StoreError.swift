import ForageCore

/// Errors of the experiment store, each with a message a person can act on.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case noStore(path: String)
    case notAStore(path: String, reason: String)
    case newerSchema(path: String)
    /// A reader found a store whose schema is older than this Forage's; readers never migrate.
    case needsMigration(path: String, found: Int, current: Int)
    case experimentExists(name: String)
    case noExperiment(name: String, known: [String])
    case invalidExperimentName(String)
    case owned(name: String, owner: String, secondsAgo: Double)
    /// The experiment was taken over by another owner: this process's writes are refused.
    case lostOwnership(name: String, newOwner: String)
    /// The store was opened for reading only.
    case readOnly(path: String)
    /// The database file this process opened was removed or replaced underneath it.
    case fileReplaced(path: String)
    case database(String)

    public var description: String {
        switch self {
        case .noStore(let path):
            return "no Forage store at \(path) (run `forage run SPEC` first, or pass --store DIR)"
        case .notAStore(let path, let reason):
            return "cannot use \(path) as a Forage store: \(reason)"
        case .newerSchema(let path):
            return "the store at \(path) was written by a newer Forage; upgrade Forage to open it"
        case .needsMigration(let path, let found, let current):
            if path.contains("://") {
                return "the store at \(path) has schema version \(found), older than this Forage's \(current); "
                    + "run `forage store migrate \(path)` to migrate it (a shared store is never migrated implicitly)"
            }
            return "the store at \(path) has schema version \(found), older than this Forage's \(current); "
                + "run `forage store migrate --store \(path)` (or any `forage run`/`resume` on it) to migrate it"
        case .experimentExists(let name):
            return "experiment '\(name)' already exists in this store; use `forage resume \(name)` to continue it, or --name to start another"
        case .noExperiment(let name, let known):
            let list = known.isEmpty ? "the store has no experiments" : "known: \(known.prefix(20).joined(separator: ", "))"
            return "no experiment named '\(name)' (\(list))"
        case .invalidExperimentName(let name):
            let shown = name.count > 40 ? String(name.prefix(40)) + "…" : name
            return "'\(shown)' is not a valid experiment name (\(ExperimentName.rule))"
        case .owned(let name, let owner, let secondsAgo):
            return "experiment '\(name)' is being run by \(owner) (heartbeat \(String(format: "%.1f", secondsAgo)) s ago); "
                + "wait for it to finish or stop that process (`forage resume \(name) --force` takes it over anyway)"
        case .lostOwnership(let name, let newOwner):
            return "experiment '\(name)' was taken over by \(newOwner); this process stopped without writing more"
        case .readOnly(let path):
            return "the store at \(path) is open for reading only"
        case .fileReplaced(let path):
            return "the store's database file \(path) was removed or replaced while this run used it; nothing more was written"
        case .database(let message):
            return "store error: \(message)"
        }
    }
}
