/// The rule a completed trial of a multi-objective or constrained experiment is judged by, on top of the primary
/// objective's (which the executors check): every objective and every constraint metric must be reported and
/// finite, or the trial fails (`error` when missing, `nan` when not finite).
public enum GoalCheck {
    public static func judge(_ outcome: TrialOutcome, goals: ObjectiveSet) -> TrialOutcome {
        guard case .completed(let metrics) = outcome else { return outcome }
        let needed = goals.objectives.map { ($0.metric, "an objective metric") } + goals.constraints.map { ($0.metric, "a constraint metric") }
        for (metric, role) in needed {
            guard let value = metrics[metric] else {
                let seen = metrics.keys.sorted()
                let list = seen.isEmpty ? "no metrics" : "only \(seen.joined(separator: ", "))"
                return .failed(reason: .error, message: "the trial reported no '\(metric)' (\(role)); it reported \(list)", metrics: metrics)
            }
            guard value.isFinite else {
                return .failed(reason: .nan, message: "'\(metric)' (\(role)) was \(value)", metrics: metrics)
            }
        }
        return outcome
    }
}
