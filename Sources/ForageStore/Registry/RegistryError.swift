/// Errors of the model registry, each with a message a person can act on.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case noModel(name: String, known: [String])
    case noVersion(model: String, version: Int, latest: Int)
    case noAlias(model: String, alias: String, known: [String])
    case nothingToRollBack(model: String, alias: String)
    case noModelFile(experiment: String, trial: Int, reason: String)
    case noCompletedTrial(experiment: String)
    case notBetter(model: String, alias: String, metric: String, candidate: Double, current: Double, currentVersion: Int, direction: String)
    case cannotCompare(metric: String, reason: String)
    case corruptBlob(path: String, expected: String, found: String)
    case missingBlob(path: String)
    case io(path: String, reason: String)
    case database(String)
    /// The registry was opened from a read-only store.
    case readOnly
    /// A version that `predict` and `serve` cannot run (a pickle, an ONNX graph, a folder…).
    case notServable(model: String, version: Int, flavor: ModelFlavor, files: [String])

    public var description: String {
        switch self {
        case .invalidName(let name):
            return "'\(name)' is not a valid model or alias name (letters, digits, '-', '_', '.'; use NAME, NAME@ALIAS or NAME:VERSION)"
        case .noModel(let name, let known):
            let list = known.isEmpty ? "the registry has no models yet; use `forage promote`" : "known: \(known.prefix(20).joined(separator: ", "))"
            return "no model named '\(name)' (\(list))"
        case .noVersion(let model, let version, let latest):
            return "model '\(model)' has no version \(version) (versions are 1…\(latest))"
        case .noAlias(let model, let alias, let known):
            let list = known.isEmpty ? "it has no aliases" : "its aliases: \(known.joined(separator: ", "))"
            return "model '\(model)' has no alias '\(alias)' (\(list))"
        case .nothingToRollBack(let model, let alias):
            return "\(model)@\(alias) has no earlier version to roll back to"
        case .noModelFile(let experiment, let trial, let reason):
            return "trial \(trial) of '\(experiment)' has no model to promote: \(reason)"
        case .noCompletedTrial(let experiment):
            return "experiment '\(experiment)' has no completed trial to promote"
        case .notBetter(let model, let alias, let metric, let candidate, let current, let currentVersion, let direction):
            return "not promoted: the candidate's \(metric) is \(candidate), not better than \(current) of \(model):\(currentVersion) "
                + "(held by @\(alias); the objective is to \(direction) it)"
        case .cannotCompare(let metric, let reason):
            return "--if-better cannot compare on \(metric): \(reason)"
        case .corruptBlob(let path, let expected, let found):
            return "model blob \(path) is corrupt: its SHA-256 is \(found), expected \(expected); the file was changed on disk"
        case .missingBlob(let path):
            return "model blob \(path) is missing from the store"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .database(let message):
            return "registry error: \(message)"
        case .readOnly:
            return "the registry is open for reading only"
        case .notServable(let model, let version, let flavor, let files):
            return "\(model):\(version) is \(flavor.label) (\(files.prefix(5).joined(separator: ", "))); forage predict and forage serve run "
                + "Forage model files (model.forage, from built-in trainers) only; `forage models export \(model):\(version) DIR` writes its files"
        }
    }
}
