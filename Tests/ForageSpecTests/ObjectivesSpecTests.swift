import ForageCore
import ForageSpec
import Testing

/// `objectives:`, `constraints:` and the multi-objective built-in functions in the spec.
@Suite struct ObjectivesSpecTests {
    func parse(_ text: String) throws -> ExperimentSpec {
        try SpecLoader.parse(text, file: "spec.yaml", baseDirectory: "/tmp")
    }

    let space = """
        search_space:
          x0: {type: float, low: 0, high: 1}
          x1: {type: float, low: 0, high: 1}
          x2: {type: float, low: 0, high: 1}
        """

    @Test func severalObjectivesAndConstraintsAreRead() throws {
        let spec = try parse(
            """
            objectives: [{metric: acc, direction: maximize}, {metric: latency_ms, direction: minimize}]
            constraints: ["latency_ms <= 10", "model_kb<500", "acc >= 0.5", "acc > -1e-3"]
            trial: {command: "true"}
            \(space)
            """)
        #expect(spec.goals.objectives == [Objective(metric: "acc", direction: .maximize), Objective(metric: "latency_ms", direction: .minimize)])
        #expect(spec.objective == Objective(metric: "acc", direction: .maximize))
        #expect(spec.goals.constraints == [
            Constraint(metric: "latency_ms", comparison: .lessOrEqual, bound: 10),
            Constraint(metric: "model_kb", comparison: .lessThan, bound: 500),
            Constraint(metric: "acc", comparison: .greaterOrEqual, bound: 0.5),
            Constraint(metric: "acc", comparison: .greaterThan, bound: -1e-3),
        ])
    }

    @Test(arguments: [
        ("objective: {metric: a, direction: minimize}\nobjectives: [{metric: b, direction: minimize}]", "objectives", "cannot be given with `objective:`"),
        ("objectives: []", "objectives", "needs at least one"),
        ("objectives: [{metric: a, direction: minimize}, {metric: a, direction: maximize}]", "objectives[1]", "appears twice"),
        ("objectives: [{metric: a, direction: upward}]", "objectives[0].direction", "'upward' is not a direction"),
        ("objectives: [{metric: a, direction: minimize, weight: 2}]", "objectives[0].weight", "unknown key"),
        ("objective: {metric: a, direction: minimize}\nconstraints: [\"latency 10\"]", "constraints[0]", "has no comparison"),
        ("objective: {metric: a, direction: minimize}\nconstraints: [\"latency <= ten\"]", "constraints[0]", "'ten' after '<=' is not a finite number"),
        ("objective: {metric: a, direction: minimize}\nconstraints: [\"<= 3\"]", "constraints[0]", "needs a metric name"),
        ("objective: {metric: a, direction: minimize}\nconstraints: \"a < 1\"", "constraints", "expected a list"),
        ("constraints: [\"a < 1\"]", "objective", "is required"),
    ])
    func badGoalsAreSpecErrors(goals: String, keyPath: String, fragment: String) throws {
        let error = #expect(throws: SpecError.self) { try parse("\(goals)\ntrial: {command: \"true\"}\n\(space)") }
        #expect(error?.keyPath == keyPath, "\(String(describing: error))")
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func builtInMultiObjectiveFunctionsCheckTheirMetrics() throws {
        let dtlz = try parse(
            """
            objectives: [{metric: f1, direction: minimize}, {metric: f2, direction: minimize}, {metric: f3, direction: minimize}]
            trial: {function: dtlz2, objectives: 3}
            \(space)
            """)
        #expect(dtlz.trial.functionObjectives == 3)
        let wrong = #expect(throws: SpecError.self) {
            try parse("objectives: [{metric: f1, direction: minimize}, {metric: f3, direction: minimize}]\ntrial: {function: zdt1}\n\(space)")
        }
        #expect(wrong?.description.contains("function zdt1 reports f1, f2; 'f3' is not among them") == true, "\(String(describing: wrong))")
        let notDTLZ = #expect(throws: SpecError.self) {
            try parse("objectives: [{metric: f1, direction: minimize}]\ntrial: {function: zdt1, objectives: 3}\n\(space)")
        }
        #expect(notDTLZ?.keyPath == "trial.objectives")
        let constraint = #expect(throws: SpecError.self) {
            try parse("objective: {metric: value, direction: minimize}\nconstraints: [\"c2 <= 50\"]\ntrial: {function: branin_constrained}\n\(space)")
        }
        #expect(constraint?.description.contains("the constraint on 'c2'") == true, "\(String(describing: constraint))")
    }
}
