import Foundation

/// The hyperparameters of one trial, by name. Encodes as a JSON object with sorted keys.
public struct ParameterSet: Sendable, Hashable, Codable, Sequence {
    public private(set) var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> ParameterValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public var count: Int { values.count }
    public var names: [String] { values.keys.sorted() }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: ParameterValue)> {
        values.sorted { $0.key < $1.key }.makeIterator()
    }

    /// A numeric view of the parameters (non-numeric ones are left out), as built-in functions read them.
    public var numbers: [String: Double] {
        values.compactMapValues(\.doubleValue)
    }

    /// The parameters as one JSON object with sorted keys: how the store keeps them and `FORAGE_PARAMS` passes them.
    /// Written by hand because it runs once per trial on the engine's hot path (JSONEncoder costs ~10× more).
    public var jsonString: String {
        var text = "{"
        for (index, name) in values.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            text += JSONText.quoted(name) + ":"
            switch values[name] {
            case .double(let number)?: text += number.isFinite ? "\(number)" : "null"
            case .int(let number)?: text += String(number)
            case .bool(let flag)?: text += flag ? "true" : "false"
            case .string(let string)?: text += JSONText.quoted(string)
            case nil: text += "null"
            }
        }
        return text + "}"
    }

    public init(from decoder: any Decoder) throws {
        values = try [String: ParameterValue](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}
