/// `{name}` placeholders in a command trial's command (DESIGN §5).
///
/// Only a declared parameter's name in braces is replaced; every other brace (JSON such as `{"a": 1}`, shell
/// `${HOME}`, `find -exec … {} \;`) stays as written. In a shell-string command (`command: "…"`, run with
/// `/bin/sh -c`) each value is quoted for the shell where it stands, so `two words`, `semi;colon` or `it's` arrive as
/// one word with their characters intact: outside quotes it is wrapped in single quotes (a `'` inside becomes `'\''`),
/// inside single quotes only its `'` are escaped that way, inside double quotes `\`, `"`, `$` and `` ` `` get a
/// backslash. In an argv-array command each argument is one word already, and values are substituted as they are.
public enum CommandTemplate {
    /// A `{name}` token in a command.
    public struct Placeholder: Equatable, Sendable {
        /// The text between the braces.
        public var name: String
        /// The token's range in the command, braces included.
        public var range: Range<String.Index>
        /// True for `${name}`, the shell's own parameter expansion.
        public var afterDollar: Bool
    }

    /// Every identifier-like `{name}` token: a letter or `_`, then letters, digits, `_`, `-` or `.`
    /// (so `{"a": 1}`, `{}`, `{1..5}` and `{a,b}` are not placeholders).
    public static func placeholders(in text: String) -> [Placeholder] {
        var found: [Placeholder] = []
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "{") {
            let start = text.index(after: open)
            guard let close = text[start...].firstIndex(where: { !isNameCharacter($0) }), text[close] == "}" else {
                index = start
                continue
            }
            let name = String(text[start..<close])
            if let first = name.first, first.isASCII, first.isLetter || first == "_", !name.contains("..") {
                let afterDollar = open > text.startIndex && text[text.index(before: open)] == "$"
                found.append(Placeholder(name: name, range: open..<text.index(after: close), afterDollar: afterDollar))
            }
            index = text.index(after: close)
        }
        return found
    }

    /// The placeholders that name no declared parameter (the shell's `${name}` is not counted).
    public static func unknownPlaceholders(in text: String, declared: [String]) -> [String] {
        let names = Set(declared)
        var unknown: [String] = []
        for placeholder in placeholders(in: text) where !placeholder.afterDollar && !names.contains(placeholder.name) {
            if !unknown.contains(placeholder.name) { unknown.append(placeholder.name) }
        }
        return unknown
    }

    /// `text` with each declared parameter's `{name}` replaced by its value, quoted for the shell when `shell` is set.
    public static func expand(_ text: String, params: ParameterSet, declared: [String], shell: Bool) -> String {
        let names = Set(declared)
        let tokens = placeholders(in: text).filter { names.contains($0.name) && params[$0.name] != nil }
        guard !tokens.isEmpty else { return text }
        let contexts = shell ? ShellContext.at(tokens.map(\.range.lowerBound), in: text) : []
        var result = ""
        var cursor = text.startIndex
        for (k, token) in tokens.enumerated() {
            result += text[cursor..<token.range.lowerBound]
            let value = params[token.name]?.description ?? ""
            result += shell ? contexts[k].quote(value) : value
            cursor = token.range.upperBound
        }
        result += text[cursor...]
        return result
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-" || character == ".")
    }
}

/// Where a position in a POSIX shell command stands: outside quotes, inside `'…'` or inside `"…"`.
enum ShellContext {
    case unquoted
    case singleQuoted
    case doubleQuoted

    /// The context at each of `positions` (ascending) in `script`.
    static func at(_ positions: [String.Index], in script: String) -> [ShellContext] {
        let wanted = Set(positions)
        var found: [String.Index: ShellContext] = [:]
        var state = ShellContext.unquoted
        var escaped = false
        var index = script.startIndex
        while index < script.endIndex {
            if wanted.contains(index) { found[index] = state }
            let character = script[index]
            index = script.index(after: index)
            if escaped {
                escaped = false
                continue
            }
            switch (state, character) {
            case (.unquoted, "\\"), (.doubleQuoted, "\\"): escaped = true
            case (.unquoted, "'"): state = .singleQuoted
            case (.singleQuoted, "'"): state = .unquoted
            case (.unquoted, "\""): state = .doubleQuoted
            case (.doubleQuoted, "\""): state = .unquoted
            default: break
            }
        }
        return positions.map { found[$0] ?? state }
    }

    /// `value` written so that the shell reads it back unchanged as (part of) one word in this context.
    func quote(_ value: String) -> String {
        switch self {
        case .unquoted:
            return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
        case .singleQuoted:
            return value.replacingOccurrences(of: "'", with: "'\\''")
        case .doubleQuoted:
            var escaped = ""
            for character in value {
                if "\\\"$`".contains(character) { escaped.append("\\") }
                escaped.append(character)
            }
            return escaped
        }
    }
}
