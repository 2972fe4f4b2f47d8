/// One input cell handed to a model at prediction time: a number, a text (for categorical columns, or a number
/// written as text) or nothing. The HTTP server turns JSON scalars into these.
public enum InputValue: Sendable, Equatable, Hashable {
    case number(Double)
    case text(String)
    case missing

    /// A CSV cell: missing markers become `.missing`, everything else `.text`.
    public init(csvField: String) {
        self = MissingMarker.isMissing(csvField) ? .missing : .text(csvField)
    }

    /// True for a missing numeric cell: nothing, a missing marker, or NaN.
    var isMissingNumber: Bool {
        switch self {
        case .number(let value): return value.isNaN
        case .text(let text): return MissingMarker.isMissing(text)
        case .missing: return true
        }
    }

    /// The category name this value stands for (numbers written without a trailing `.0` when integral).
    var categoryName: String? {
        switch self {
        case .number(let value): return CanonicalLabel.name(for: value)
        case .text(let text): return CanonicalLabel.canonical(text)
        case .missing: return nil
        }
    }
}

/// Canonical names for class labels and categories, so `1`, `1.0` and `1.00` in a file are the same class.
enum CanonicalLabel {
    static func name(for value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    static func canonical(_ text: String) -> String {
        if let value = Double(text), value.isFinite { return name(for: value) }
        return text
    }

    /// Sorts labels numerically when they are all numbers, otherwise as text.
    static func sorted(_ labels: Set<String>) -> [String] {
        let numbers = labels.compactMap { Double($0) }
        if numbers.count == labels.count {
            return labels.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        }
        return labels.sorted()
    }
}
