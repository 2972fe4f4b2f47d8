import ForageCore

/// Reads what an experiment optimises: `objective:` (one) or `objectives:` (a list of `{metric, direction}`), never
/// both, and the `constraints:` list (`"latency_ms <= 10"`).
enum GoalsParser {
    static let objectiveHint = "objective: {metric: NAME, direction: minimize|maximize}, or objectives: [{metric: A, direction: …}, {metric: B, direction: …}]"

    static func parse(_ fields: OrderedFields) throws -> ObjectiveSet {
        let objectives: [Objective]
        switch (fields["objective"], fields["objectives"]) {
        case (let single?, nil):
            objectives = [try SpecLoader.parseObjective(single)]
        case (nil, let several?):
            let items = try several.sequence()
            guard !items.isEmpty else { throw several.error("needs at least one {metric, direction}") }
            objectives = try items.map(SpecLoader.parseObjective)
            var seen = Set<String>()
            for (item, objective) in zip(items, objectives) where !seen.insert(objective.metric).inserted {
                throw item.error("metric '\(objective.metric)' appears twice; each objective needs its own metric")
            }
        case (_?, let several?):
            throw several.error("cannot be given with `objective:`; use `objective:` for one metric or `objectives:` for several, not both")
        case (nil, nil):
            _ = try fields.required("objective", objectiveHint)
            objectives = []
        }
        var constraints: [Constraint] = []
        if let node = fields["constraints"] {
            for item in try node.sequence() {
                let text = try item.string()
                switch Constraint.parse(text) {
                case .success(let constraint): constraints.append(constraint)
                case .failure(let problem):
                    throw item.error("\(problem.description) (a constraint is `metric OPERATOR number`, e.g. \"latency_ms <= 10\"; operators: <, <=, >, >=)")
                }
            }
        }
        return ObjectiveSet(objectives: objectives, constraints: constraints)
    }

    /// A built-in function reports known metrics: objectives and constraints must name them.
    static func check(_ goals: ObjectiveSet, trial: TrialSpec, at fields: OrderedFields) throws {
        guard case .function(let name) = trial.kind, let function = BenchmarkFunction(rawValue: name) else { return }
        let reported = function.metricNames(objectives: trial.functionObjectives)
        // Single-metric functions with one unconstrained objective keep their old rule: a missing metric fails trials.
        guard reported != ["value"] || goals.ranksByFront else { return }
        let key = fields.has("objectives") ? "objectives" : "objective"
        for objective in goals.objectives where !reported.contains(objective.metric) {
            throw try fields.required(key, "").error(
                "function \(name) reports \(reported.joined(separator: ", ")); '\(objective.metric)' is not among them")
        }
        for constraint in goals.constraints where !reported.contains(constraint.metric) {
            throw try fields.required("constraints", "").error(
                "function \(name) reports \(reported.joined(separator: ", ")); the constraint on '\(constraint.metric)' names none of them")
        }
    }
}
