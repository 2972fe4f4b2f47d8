import ForageCore

/// Accumulates a trial's reports and turns them into its outcome: the last value of each metric, the objective's
/// last value as the result, NaN and missing objectives as failures.
struct OutcomeBuilder {
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
        guard let value = objectiveValue else {
            let seen = metrics.keys.sorted()
            let list = seen.isEmpty ? "no metrics" : "only \(seen.joined(separator: ", "))"
            return .failed(reason: .error, message: "the trial reported no '\(objective.metric)' (the objective metric); it reported \(list)", metrics: metrics)
        }
        guard value.isFinite else {
            return .failed(reason: .nan, message: "the objective '\(objective.metric)' was \(value)", metrics: metrics)
        }
        return .completed(metrics: metrics)
    }

    /// The outcome of a trial the scheduler stopped.
    func pruned() -> TrialOutcome {
        .pruned(metrics: metrics)
    }
}
