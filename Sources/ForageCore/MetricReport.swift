/// Metric values reported by a trial, at a `step` (an intermediate report) or without one (the final report).
public struct MetricReport: Sendable, Equatable, Codable {
    public var step: Int?
    public var values: [String: Double]

    public init(step: Int?, values: [String: Double]) {
        self.step = step
        self.values = values
    }
}

/// How a trial ended, as the executor saw it.
public enum TrialOutcome: Sendable, Equatable {
    /// The trial finished; `metrics` are its final values (the objective among them).
    case completed(metrics: [String: Double])
    /// The scheduler stopped it; `metrics` are the last values it reported.
    case pruned(metrics: [String: Double])
    /// It failed; `message` says why in words (the tail of stderr for a command).
    case failed(reason: FailureReason, message: String, metrics: [String: Double])

    public var metrics: [String: Double] {
        switch self {
        case .completed(let metrics), .pruned(let metrics): return metrics
        case .failed(_, _, let metrics): return metrics
        }
    }
}
