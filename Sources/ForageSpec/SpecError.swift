/// A problem with an experiment spec, naming the file, the key path and what is allowed.
///
/// `description` reads like `Experiments/x.yaml:12: budget.paralel: unknown key; allowed: trials, parallel, …`.
public struct SpecError: Error, Equatable, CustomStringConvertible {
    /// The file the problem is in (the spec, or a search-space file it points to).
    public var file: String
    /// The key path, such as `search_space.lr.low`; empty for problems with the whole file.
    public var keyPath: String
    /// The 1-based line, when known.
    public var line: Int?
    /// What is wrong and what is allowed.
    public var message: String

    public init(file: String, keyPath: String, line: Int? = nil, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
