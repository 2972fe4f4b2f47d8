/// Errors of the experiment store, each with a message a person can act on.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case noStore(path: String)
    case newerSchema(path: String)
    case experimentExists(name: String)
    case noExperiment(name: String, known: [String])
    case owned(name: String, owner: String, secondsAgo: Double)
    case database(String)

    public var description: String {
        switch self {
        case .noStore(let path):
            return "no Forage store at \(path) (run `forage run SPEC` first, or pass --store DIR)"
        case .newerSchema(let path):
            return "the store at \(path) was written by a newer Forage; upgrade Forage to open it"
        case .experimentExists(let name):
            return "experiment '\(name)' already exists in this store; use `forage resume \(name)` to continue it, or --name to start another"
        case .noExperiment(let name, let known):
            let list = known.isEmpty ? "the store has no experiments" : "known: \(known.prefix(20).joined(separator: ", "))"
            return "no experiment named '\(name)' (\(list))"
        case .owned(let name, let owner, let secondsAgo):
            return "experiment '\(name)' is being run by \(owner) (heartbeat \(String(format: "%.1f", secondsAgo)) s ago); wait for it to finish or stop that process"
        case .database(let message):
            return "store error: \(message)"
        }
    }
}
