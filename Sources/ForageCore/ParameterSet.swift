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
    public var jsonString: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public init(from decoder: any Decoder) throws {
        values = try [String: ParameterValue](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}
