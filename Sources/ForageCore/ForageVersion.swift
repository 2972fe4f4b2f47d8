/// The version of Forage, stored with every experiment and printed by `forage --version`.
public enum ForageVersion {
    public static let current = "0.1.0"
}
