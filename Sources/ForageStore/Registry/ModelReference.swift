/// Which version of a registered model a command means: `NAME` (the latest version), `NAME@ALIAS` or `NAME:VERSION`.
public struct ModelReference: Sendable, Equatable, CustomStringConvertible {
    /// How the version is chosen.
    public enum Selector: Sendable, Equatable {
        /// The highest version number.
        case latest
        /// The version an alias points at now (it can move while a server follows it).
        case alias(String)
        /// A fixed version number.
        case version(Int)
    }

    public var model: String
    public var selector: Selector

    public init(model: String, selector: Selector) {
        self.model = model
        self.selector = selector
    }

    /// Parses `NAME`, `NAME@ALIAS` or `NAME:VERSION`; nil when the text is none of these.
    public init?(parsing text: String) {
        if let at = text.firstIndex(of: "@") {
            let name = String(text[..<at])
            let alias = String(text[text.index(after: at)...])
            guard ModelName.isValid(name), ModelName.isValid(alias) else { return nil }
            self.init(model: name, selector: .alias(alias))
        } else if let colon = text.lastIndex(of: ":") {
            let name = String(text[..<colon])
            guard ModelName.isValid(name), let version = Int(text[text.index(after: colon)...]), version >= 1 else { return nil }
            self.init(model: name, selector: .version(version))
        } else {
            guard ModelName.isValid(text) else { return nil }
            self.init(model: text, selector: .latest)
        }
    }

    public var description: String {
        switch selector {
        case .latest: return model
        case .alias(let alias): return "\(model)@\(alias)"
        case .version(let version): return "\(model):\(version)"
        }
    }
}

/// The rule for model and alias names: letters, digits, `-`, `_` and `.`, starting with a letter or digit.
public enum ModelName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 128 else { return false }
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
        return allowed(first) && first != "-" && first != "." && first != "_" && name.unicodeScalars.allSatisfy(allowed)
    }
}
