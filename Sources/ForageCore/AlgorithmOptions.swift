/// The options of one searcher or scheduler section, by spec key (`n_startup`, `min`, …), already checked against
/// the keys the algorithm declares (see `OptionKey` in ForageSearch). Core does not know any algorithm's keys: a
/// new sampler or scheduler adds none here.
public struct AlgorithmOptions: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The values given in the spec; a key that is absent takes the algorithm's default.
    public var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, ParameterValue)...) {
        values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(key: String) -> ParameterValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// The integer at `key`, or `fallback` when it is absent (or not an integer).
    public func int(_ key: String, default fallback: Int) -> Int {
        if case .int(let value) = values[key] { return value }
        return fallback
    }

    /// The integer at `key`, or nil when absent.
    public func int(_ key: String) -> Int? {
        if case .int(let value) = values[key] { return value }
        return nil
    }

    /// The number at `key` (an integer counts), or `fallback`.
    public func double(_ key: String, default fallback: Double) -> Double {
        double(key) ?? fallback
    }

    /// The number at `key` (an integer counts), or nil when absent.
    public func double(_ key: String) -> Double? {
        switch values[key] {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    /// The boolean at `key`, or `fallback`.
    public func bool(_ key: String, default fallback: Bool) -> Bool {
        if case .bool(let value) = values[key] { return value }
        return fallback
    }

    /// The string at `key`, or `fallback`.
    public func string(_ key: String, default fallback: String) -> String {
        if case .string(let value) = values[key] { return value }
        return fallback
    }
}
