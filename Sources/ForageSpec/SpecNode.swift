import ForageCore
import Foundation
import Yams

/// A YAML node with its key path and file, so every conversion error can say exactly where it happened.
struct SpecNode {
    let node: Node
    let path: String
    let file: String

    func error(_ message: String) -> SpecError {
        SpecError(file: file, keyPath: path, line: node.mark?.line, message: message)
    }

    func child(_ key: String, _ value: Node) -> SpecNode {
        SpecNode(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// Reads a mapping, refusing keys outside `allowed`. Returns the children by key, in file order.
    func mapping(allowed: [String]? = nil, what: String = "a mapping") throws -> OrderedFields {
        guard case .mapping(let mapping) = node else { throw error("expected \(what), found \(kindName)") }
        var fields = OrderedFields(owner: self)
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { throw error("keys must be plain names") }
            if let allowed, !allowed.contains(key.string) {
                let suggestion = closest(key.string, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw child(key.string, valueNode).error(
                    "unknown key\(suggestion); allowed: \(allowed.joined(separator: ", "))")
            }
            if fields.index[key.string] != nil { throw child(key.string, valueNode).error("key appears twice") }
            fields.append(key.string, child(key.string, valueNode))
        }
        return fields
    }

    var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw error("expected a string, found \(kindName)") }
        return scalar.string
    }

    func double() throws -> Double {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Self.parseNumber(scalar.string) else {
            throw error("expected a number, found \(describedValue)")
        }
        guard value.isFinite else { throw error("expected a finite number, found \(describedValue)") }
        return value
    }

    func int() throws -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw error("expected an integer, found \(describedValue)") }
        if let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")) { return value }
        if let value = Self.parseNumber(scalar.string), value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        throw error("expected an integer, found \(describedValue)")
    }

    func bool() throws -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw error("expected true or false, found \(describedValue)") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(describedValue)")
        }
    }

    func sequence() throws -> [SpecNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kindName)") }
        return sequence.enumerated().map { index, value in
            SpecNode(node: value, path: "\(path)[\(index)]", file: file)
        }
    }

    /// A scalar as a parameter value: numbers, booleans and strings keep their YAML type (quoted → string).
    func parameterValue() throws -> ParameterValue {
        guard case .scalar(let scalar) = node else { throw error("expected a number, string or boolean, found \(kindName)") }
        guard scalar.style == .plain else { return .string(scalar.string) }
        let text = scalar.string
        if let value = Int(text) { return .int(value) }
        if ["true", "false"].contains(text.lowercased()) { return .bool(text.lowercased() == "true") }
        if let value = Self.parseNumber(text), value.isFinite { return .double(value) }
        if isNull { throw error("expected a value, found nothing") }
        return .string(text)
    }

    /// A duration: a number of seconds, or a number with `ms`, `s`, `m`, `h` or `d`.
    func duration() throws -> Double {
        guard case .scalar(let scalar) = node else { throw error("expected a duration such as 30s, 5m or 2h, found \(kindName)") }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var seconds: Double?
        if let value = Self.parseNumber(text) {
            seconds = value
        } else {
            for (suffix, scale) in units where text.hasSuffix(suffix) {
                if let value = Self.parseNumber(String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)) {
                    seconds = value * scale
                    break
                }
            }
        }
        guard let seconds, seconds.isFinite else {
            throw error("expected a duration such as 30s, 5m or 2h, found \(describedValue)")
        }
        guard seconds > 0 else { throw error("must be positive, found \(describedValue)") }
        return seconds
    }

    var kindName: String {
        switch node {
        case .scalar: return isNull ? "nothing" : "'\(node.string ?? "")'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var describedValue: String {
        if case .scalar(let scalar) = node { return isNull ? "nothing" : "'\(scalar.string)'" }
        return kindName
    }

    static func parseNumber(_ text: String) -> Double? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        switch cleaned.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: break
        }
        guard let first = cleaned.first, first.isNumber || "+-.".contains(first) else { return nil }
        return Double(cleaned)
    }
}

/// The fields of a mapping in file order, with typed accessors that build the right key path.
struct OrderedFields {
    let owner: SpecNode
    private(set) var keys: [String] = []
    private(set) var index: [String: SpecNode] = [:]

    init(owner: SpecNode) {
        self.owner = owner
    }

    mutating func append(_ key: String, _ node: SpecNode) {
        keys.append(key)
        index[key] = node
    }

    subscript(key: String) -> SpecNode? {
        guard let node = index[key], !node.isNull else { return nil }
        return node
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    func required(_ key: String, _ what: String) throws -> SpecNode {
        guard let node = self[key] else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw SpecError(file: owner.file, keyPath: path, line: owner.node.mark?.line, message: "is required: \(what)")
        }
        return node
    }
}

/// The allowed key nearest to a typo, when it is close enough to be a likely intent. Distance counts insertions,
/// deletions, substitutions and swaps of two neighbouring characters (`wrod` → `word` is one edit).
func closest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
    let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, word.count / 3) else { return nil }
    return best.0
}
