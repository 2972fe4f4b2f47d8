/// One hyperparameter value: a number, an integer, a string or a boolean.
///
/// Encodes to and decodes from plain JSON scalars, so `{"lr": 0.01, "layers": 2, "act": "relu"}` round-trips.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case double(Double)
    case int(Int)
    case string(String)
    case bool(Bool)

    /// The value as a number, when it is one (booleans count as 0 / 1).
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .bool(let value): return value ? 1 : 0
        case .string: return nil
        }
    }

    /// The value as a string: what a `{name}` placeholder in a command is replaced with.
    public var description: String {
        switch self {
        case .double(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(format: "%.1f", value) }
            return "\(value)"
        case .int(let value): return String(value)
        case .string(let value): return value
        case .bool(let value): return value ? "true" : "false"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .double(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }
}

extension ParameterValue {
    /// Two values match for a `when:` condition when they are equal, or are the same number (`1` and `1.0`).
    public func matches(_ other: ParameterValue) -> Bool {
        if self == other { return true }
        if case .string = self { return false }
        if case .string = other { return false }
        guard let lhs = doubleValue, let rhs = other.doubleValue else { return false }
        return lhs == rhs
    }
}
