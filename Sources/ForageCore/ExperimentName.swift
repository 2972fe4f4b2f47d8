/// The rule every experiment name follows, however it arrives (the spec's `name:`, `--name`, the spec's file
/// name): it becomes a folder name, so it must be one safe path component.
public enum ExperimentName {
    /// The longest name accepted.
    public static let maximumLength = 128

    /// What a valid name looks like, for error messages.
    public static let rule = "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 128 characters"

    /// Whether `name` may name an experiment.
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maximumLength, let first = name.unicodeScalars.first else { return false }
        guard isAlphanumeric(first) else { return false }
        return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
