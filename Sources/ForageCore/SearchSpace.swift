/// An ordered list of hyperparameters. Conditions only refer to parameters listed earlier, so a sampler can walk the
/// list in order and decide each parameter's activity from the values already drawn.
public struct SearchSpace: Sendable, Equatable {
    public var parameters: [Parameter]

    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
    }

    public var names: [String] { parameters.map(\.name) }

    public subscript(name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }

    /// Builds a full parameter set by walking the space in order: inactive parameters are skipped, active ones get
    /// `draw(parameter, valuesSoFar)`.
    public func assign(_ draw: (Parameter, ParameterSet) throws -> ParameterValue) rethrows -> ParameterSet {
        // Room for every parameter up front (no rehashing as the set grows).
        var values = ParameterSet(Dictionary(minimumCapacity: parameters.count))
        for parameter in parameters where parameter.isActive(given: values) {
            values[parameter.name] = try draw(parameter, values)
        }
        return values
    }

    /// True when `values` has exactly the active parameters, each inside its distribution.
    public func isValid(_ values: ParameterSet) -> Bool {
        var seen = ParameterSet()
        for parameter in parameters {
            let active = parameter.isActive(given: seen)
            guard let value = values[parameter.name] else {
                if active { return false }
                continue
            }
            guard active, parameter.distribution.contains(value) else { return false }
            seen[parameter.name] = value
        }
        return values.count == seen.count
    }
}
