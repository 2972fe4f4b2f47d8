import ForageCore
import Foundation

/// A parsed JSON value. Objects keep their keys in order (a `dataframe_split`'s columns, a record's fields).
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }

    /// The value of `key` in an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }
}

/// Why a body is not JSON (or has an object with a key twice, which the service refuses), with the byte offset.
struct JSONParseError: Error, Equatable, CustomStringConvertible {
    var offset: Int
    var reason: String
    /// The document is JSON, but one of its objects has this key twice (which value would count is ambiguous).
    var duplicateKey: String?

    var description: String {
        if let duplicateKey {
            return "the body has the key \(JSONText.quoted(duplicateKey)) twice in one object (at byte \(offset)); each key may appear once"
        }
        return "the body is not valid JSON: \(reason) at byte \(offset)"
    }
}

/// A small, fast JSON parser over raw bytes (RFC 8259; nesting limited to 64 levels). The prediction service parses
/// every request with it, so it avoids Foundation's bridging and allocates only the values it returns.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0
    private var scratch: [CChar] = []

    static let maxDepth = 64
    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { value, _ in value * 10 } }

    /// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the document") }
        return value
    }

    /// Parses `data`.
    static func parse(_ data: some ContiguousBytes) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = data.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end") }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { throw error("invalid literal") }
        index += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        index += 1
        skipWhitespace()
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var fields: [(String, JSONValue)] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        // Duplicate keys: a scan while the object is small, a set once it is not.
        var keys: Set<String> = []
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = index
            let key = try string()
            if fields.count < 16 {
                if fields.contains(where: { $0.0 == key }) { throw JSONParseError(offset: keyOffset, reason: "duplicate key", duplicateKey: key) }
            } else {
                if keys.isEmpty { keys = Set(fields.map(\.0)) }
                if !keys.insert(key).inserted { throw JSONParseError(offset: keyOffset, reason: "duplicate key", duplicateKey: key) }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            fields.append((key, try value()))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(fields)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var items: [JSONValue] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            index += 1
        }
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in a string") }
            if byte != UInt8(ascii: "\\") {
                utf8.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }

    private mutating func number() throws(JSONParseError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var simple = true
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            if digits < 18 { mantissa = mantissa * 10 + UInt64(bytes[index] - UInt8(ascii: "0")) } else { simple = false }
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw error("invalid number") }
        if digits > 1, bytes[start + (bytes[start] == UInt8(ascii: "-") ? 1 : 0)] == UInt8(ascii: "0") { throw error("leading zero in a number") }
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                if digits < 15 {
                    mantissa = mantissa * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
                    fractionDigits += 1
                    digits += 1
                } else {
                    simple = false
                }
                index += 1
            }
            guard index > fractionStart else { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > exponentStart else { throw error("invalid number") }
            simple = false
        }
        if simple, digits <= 15 {
            // Clinger's fast path: an exact integer below 2^53 divided by an exact power of ten is correctly rounded.
            let value = Double(mantissa) / Self.powersOfTen[fractionDigits]
            return bytes[start] == UInt8(ascii: "-") ? -value : value
        }
        // General case: strtod on a NUL-terminated copy (correctly rounded).
        scratch.removeAll(keepingCapacity: true)
        for k in start..<index { scratch.append(CChar(bitPattern: bytes[k])) }
        scratch.append(0)
        return scratch.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { strtod($0, nil) } ?? .nan }
    }
}

extension JSONParser {
    /// The fast path for the most common body, `{"inputs": [[n, …], …]}` with only numbers and rows of `width`
    /// values: the numbers go straight into one row-major array, with no `JSONValue` tree. Returns nil for any
    /// other body (another format, strings or nulls, ragged rows, an empty batch, bad JSON); the general parser and
    /// decoder then answer it, with the precise error when there is one.
    static func numericInputs(_ bytes: UnsafeRawBufferPointer, width: Int) -> [Double]? {
        guard width > 0 else { return nil }
        var parser = JSONParser(bytes: bytes)
        return parser.numericInputs(width: width)
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        skipWhitespace()
        return true
    }

    private mutating func numericInputs(width: Int) -> [Double]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        let key: StaticString = "\"inputs\""
        guard index + key.utf8CodeUnitCount <= bytes.count else { return nil }
        for k in 0..<key.utf8CodeUnitCount where bytes[index + k] != key.utf8Start[k] { return nil }
        index += key.utf8CodeUnitCount
        skipWhitespace()
        guard consume(UInt8(ascii: ":")), consume(UInt8(ascii: "[")) else { return nil }
        var values: [Double] = []
        values.reserveCapacity(width)
        while true {
            guard consume(UInt8(ascii: "[")) else { return nil }
            var count = 0
            while true {
                guard index < bytes.count else { return nil }
                let byte = bytes[index]
                guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                guard let value = try? number() else { return nil }
                values.append(value)
                count += 1
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { return nil }
                break
            }
            guard count == width else { return nil }
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { return nil }
            break
        }
        guard consume(UInt8(ascii: "}")), index == bytes.count else { return nil }
        return values
    }
}
