/// One named hyperparameter of a search space: its distribution, an optional activation condition and optional
/// explicit grid values.
public struct Parameter: Sendable, Equatable {
    public var name: String
    public var distribution: Distribution
    /// `when: {model: [mlp, logistic]}`: the parameter exists only when every named parameter has one of the values.
    public var condition: [String: [ParameterValue]]
    /// Explicit values for the grid searcher (`values:`); nil means "use the searcher's number of points".
    public var gridValues: [ParameterValue]?

    public init(
        name: String, distribution: Distribution, condition: [String: [ParameterValue]] = [:],
        gridValues: [ParameterValue]? = nil
    ) {
        self.name = name
        self.distribution = distribution
        self.condition = condition
        self.gridValues = gridValues
    }

    /// Whether the parameter is active given the values already chosen for the others.
    public func isActive(given values: ParameterSet) -> Bool {
        for (parent, allowed) in condition {
            guard let value = values[parent], allowed.contains(where: { $0.matches(value) }) else { return false }
        }
        return true
    }
}
