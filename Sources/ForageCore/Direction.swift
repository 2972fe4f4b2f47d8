/// Whether the search looks for the smallest or the largest value of the objective metric.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case minimize
    case maximize

    /// True when `candidate` is strictly better than `incumbent` in this direction.
    /// A NaN is never better than anything.
    public func isBetter(_ candidate: Double, than incumbent: Double) -> Bool {
        switch self {
        case .minimize: return candidate < incumbent
        case .maximize: return candidate > incumbent
        }
    }

    /// Converts a value to "smaller is better", so searchers can treat every objective as a minimisation.
    public func loss(_ value: Double) -> Double {
        self == .minimize ? value : -value
    }
}

/// The metric the search optimises and in which direction.
public struct Objective: Sendable, Equatable, Codable {
    public var metric: String
    public var direction: Direction

    public init(metric: String, direction: Direction) {
        self.metric = metric
        self.direction = direction
    }
}
