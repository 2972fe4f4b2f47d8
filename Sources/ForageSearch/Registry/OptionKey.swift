import ForageCore

/// One option a searcher or scheduler accepts in its spec section: its key, the values allowed and what it does.
///
/// ForageSpec checks every given value against its key (type, range, choices) and reports a bad one with the file,
/// the key path and what is allowed, as for the rest of the spec; the algorithm then reads the checked values from
/// `AlgorithmOptions` with its own defaults.
public struct OptionKey: Sendable {
    /// The values a key allows.
    public enum Kind: Sendable, Equatable {
        /// An integer in `min...max` (either bound optional).
        case int(min: Int?, max: Int?)
        /// A number between `min` and `max`, each bound inclusive unless marked open.
        case number(min: Double?, max: Double?, openMin: Bool, openMax: Bool)
        case bool
        /// One of these words.
        case choice([String])
        /// Any text.
        case string
    }

    /// The spec key (`n_startup`).
    public let name: String
    public let kind: Kind
    /// One line for the spec reference: what the option does and its default.
    public let summary: String

    public init(_ name: String, _ kind: Kind, _ summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }

    /// An integer option; `min`/`max` inclusive.
    public static func int(_ name: String, min: Int? = nil, max: Int? = nil, _ summary: String) -> OptionKey {
        OptionKey(name, .int(min: min, max: max), summary)
    }

    /// A number option; bounds inclusive unless `openMin` / `openMax`.
    public static func number(
        _ name: String, min: Double? = nil, max: Double? = nil, openMin: Bool = false, openMax: Bool = false, _ summary: String
    ) -> OptionKey {
        OptionKey(name, .number(min: min, max: max, openMin: openMin, openMax: openMax), summary)
    }

    public static func bool(_ name: String, _ summary: String) -> OptionKey { OptionKey(name, .bool, summary) }

    public static func choice(_ name: String, _ choices: [String], _ summary: String) -> OptionKey {
        OptionKey(name, .choice(choices), summary)
    }

    /// Why `value` is not allowed for this key (in the spec's words, without the key path), or nil when it is.
    public func problem(with value: ParameterValue) -> String? {
        switch kind {
        case .int(let low, let high):
            guard case .int(let v) = value else { return "expected an integer, found \(value)" }
            if let low, v < low { return high.map { "must be between \(low) and \($0), found \(v)" } ?? "must be at least \(low), found \(v)" }
            if let high, v > high { return low.map { "must be between \($0) and \(high), found \(v)" } ?? "must be at most \(high), found \(v)" }
            return nil
        case .number(let low, let high, let openLow, let openHigh):
            guard let v = value.numberValue else { return "expected a number, found \(value)" }
            let tooLow = low.map { openLow ? v <= $0 : v < $0 } ?? false
            let tooHigh = high.map { openHigh ? v >= $0 : v > $0 } ?? false
            guard tooLow || tooHigh else { return nil }
            return "must be \(rangeText(low, high, openLow, openHigh)), found \(v)"
        case .bool:
            guard case .bool = value else { return "expected true or false, found \(value)" }
            return nil
        case .choice(let choices):
            guard case .string(let v) = value, choices.contains(v) else { return "'\(value)' is not allowed; allowed: \(choices.joined(separator: ", "))" }
            return nil
        case .string:
            guard case .string = value else { return "expected a string, found \(value)" }
            return nil
        }
    }

    private func rangeText(_ low: Double?, _ high: Double?, _ openLow: Bool, _ openHigh: Bool) -> String {
        switch (low, high) {
        case (let low?, let high?): return "in \(openLow ? "(" : "[")\(low), \(high)\(openHigh ? ")" : "]")"
        case (let low?, nil): return openLow ? "greater than \(low)" : "at least \(low)"
        case (nil, let high?): return openHigh ? "less than \(high)" : "at most \(high)"
        case (nil, nil): return "a number"
        }
    }
}

extension ParameterValue {
    /// The value as a number when it is an integer or a float (booleans and strings are not numbers here).
    var numberValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }
}
