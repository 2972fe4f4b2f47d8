/// What an experiment optimises: one objective or several (`objectives:`), and the constraints a result must meet.
/// The first objective is the primary one: it is the trial's `value`, it orders trials inside a Pareto front and
/// single-objective tools (schedulers, `best`) use it.
public struct ObjectiveSet: Sendable, Equatable, Codable {
    public var objectives: [Objective]
    public var constraints: [Constraint]

    public init(objectives: [Objective], constraints: [Constraint] = []) {
        precondition(!objectives.isEmpty, "an objective set has at least one objective")
        self.objectives = objectives
        self.constraints = constraints
    }

    public init(_ objective: Objective) {
        self.init(objectives: [objective])
    }

    public var primary: Objective { objectives[0] }
    public var isMultiObjective: Bool { objectives.count > 1 }
    public var isConstrained: Bool { !constraints.isEmpty }
    /// Whether trials are ranked by feasibility and Pareto front rather than by the primary value alone.
    public var ranksByFront: Bool { isMultiObjective || isConstrained }

    /// Each objective's value in `metrics`, in objective order; nil when one is missing.
    public func values(in metrics: [String: Double]) -> [Double]? {
        var values: [Double] = []
        values.reserveCapacity(objectives.count)
        for objective in objectives {
            guard let value = metrics[objective.metric] else { return nil }
            values.append(value)
        }
        return values
    }

    /// The total violation of the constraints by `metrics` (0 = feasible), or nil when there are no constraints.
    public func violation(in metrics: [String: Double]) -> Double? {
        guard !constraints.isEmpty else { return nil }
        return constraints.reduce(0) { $0 + $1.violation(metrics[$1.metric]) }
    }

    /// `values` as losses (smaller is better for every objective).
    public func losses(_ values: [Double]) -> [Double] {
        zip(objectives, values).map { $0.direction.loss($1) }
    }
}
