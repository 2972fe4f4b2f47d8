import ForageCore

/// Accumulates a trial's reports and turns them into its outcome: the last value of each metric, the objective's
/// last value as the result, NaN and missing objectives as failures (`completed(metrics:objective:)`, the rule
/// every finished trial is judged by, wherever it ran).
public struct OutcomeBuilder: Sendable {
    let objective: Objective
    private(set) var metrics: [String: Double] = [:]
    private(set) var lastStep: Int?

    init(objective: Objective) {
        self.objective = objective
    }

    mutating func add(_ report: MetricReport) {
        for (name, value) in report.values { metrics[name] = value }
        if let step = report.step { lastStep = max(lastStep ?? step, step) }
    }

    var objectiveValue: Double? { metrics[objective.metric] }

    /// The outcome of a trial that ran to its end.
    func completed() -> TrialOutcome {
        Self.completed(metrics: metrics, objective: objective)
    }

    /// The rule for a trial that ran to its end with these final metrics: completed when the objective is there and
    /// finite; a NaN or infinite objective fails as `nan`, a missing one as `error`. Local trials and remote
    /// workers' finishes are judged by it alike.
    public static func completed(metrics: [String: Double], objective: Objective) -> TrialOutcome {
        guard let value = metrics[objective.metric] else {
            let seen = metrics.keys.sorted()
            let list = seen.isEmpty ? "no metrics" : "only \(seen.joined(separator: ", "))"
            return .failed(reason: .error, message: "the trial reported no '\(objective.metric)' (the objective metric); it reported \(list)", metrics: metrics)
        }
        guard value.isFinite else {
            return .failed(reason: .nan, message: "the objective '\(objective.metric)' was \(value)", metrics: metrics)
        }
        return .completed(metrics: metrics)
    }

    /// `outcome` as this rule has it: a `completed` one is checked (a worker's report of its own result, say);
    /// pruned and failed ones stand.
    public static func checked(_ outcome: TrialOutcome, objective: Objective) -> TrialOutcome {
        guard case .completed(let metrics) = outcome else { return outcome }
        return completed(metrics: metrics, objective: objective)
    }

    /// The outcome of a trial the scheduler stopped.
    func pruned() -> TrialOutcome {
        .pruned(metrics: metrics)
    }
}
