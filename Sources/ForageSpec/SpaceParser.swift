import ForageCore

/// Reads a search space: a mapping from parameter names to `{type, low, high, log, step, choices, values, when}`.
enum SpaceParser {
    static let parameterKeys = ["type", "low", "high", "log", "step", "choices", "values", "when"]
    static let types = ["float", "int", "categorical"]

    static func parse(_ node: SpecNode) throws -> SearchSpace {
        let fields = try node.mapping(what: "a mapping from parameter names to their definitions")
        guard !fields.keys.isEmpty else { throw node.error("has no parameters; define at least one") }
        var parameters: [Parameter] = []
        for name in fields.keys {
            guard let child = fields.index[name] else { continue }
            _ = try SpecLoader.validName(name, at: child)
            parameters.append(try parseParameter(name: name, node: child, earlier: parameters))
        }
        return SearchSpace(parameters)
    }

    static func parseParameter(name: String, node: SpecNode, earlier: [Parameter]) throws -> Parameter {
        let fields = try node.mapping(allowed: parameterKeys, what: "a parameter definition {type: float|int|categorical, …}")
        let typeNode = try fields.required("type", "one of \(types.joined(separator: ", "))")
        let type = try typeNode.string()
        let distribution: Distribution
        switch type {
        case "float": distribution = try parseFloat(fields)
        case "int": distribution = try parseInt(fields)
        case "categorical": distribution = try parseCategorical(fields)
        default:
            let hint = closest(type, in: types).map { " (did you mean '\($0)'?)" } ?? ""
            throw typeNode.error("'\(type)' is not a parameter type\(hint); allowed: \(types.joined(separator: ", "))")
        }
        let misplaced: [String] = type == "categorical" ? ["low", "high", "log", "step"] : ["choices"]
        for key in misplaced where fields.has(key) {
            throw fields.index[key].map { $0.error("is not allowed for a \(type) parameter") } ?? node.error("bad key \(key)")
        }
        var gridValues: [ParameterValue]?
        if let valuesNode = fields["values"] {
            let items = try valuesNode.sequence()
            guard !items.isEmpty else { throw valuesNode.error("must list at least one value") }
            gridValues = try items.map { item in
                let value = try coerce(item.parameterValue(), to: distribution)
                guard distribution.contains(value) else { throw item.error("\(value) is outside the parameter's range") }
                return value
            }
        }
        let condition = try fields["when"].map { try parseCondition($0, earlier: earlier) } ?? [:]
        return Parameter(name: name, distribution: distribution, condition: condition, gridValues: gridValues)
    }

    static func parseFloat(_ fields: OrderedFields) throws -> Distribution {
        let lowNode = try fields.required("low", "the smallest value")
        let highNode = try fields.required("high", "the largest value")
        let low = try lowNode.double()
        let high = try highNode.double()
        guard low <= high else { throw lowNode.error("low (\(low)) must not be greater than high (\(high))") }
        let log = try fields["log"]?.bool() ?? false
        if log, low <= 0 { throw lowNode.error("log: true needs low > 0, found \(low)") }
        var step: Double?
        if let stepNode = fields["step"] {
            let value = try stepNode.double()
            guard value > 0 else { throw stepNode.error("must be positive, found \(value)") }
            guard !log else { throw stepNode.error("cannot be combined with log: true") }
            guard value <= high - low || low == high else { throw stepNode.error("\(value) is larger than the range high - low = \(high - low)") }
            step = value
        }
        return .float(low: low, high: high, log: log, step: step)
    }

    static func parseInt(_ fields: OrderedFields) throws -> Distribution {
        let lowNode = try fields.required("low", "the smallest value")
        let highNode = try fields.required("high", "the largest value")
        let low = try lowNode.int()
        let high = try highNode.int()
        guard low <= high else { throw lowNode.error("low (\(low)) must not be greater than high (\(high))") }
        let log = try fields["log"]?.bool() ?? false
        if log, low < 1 { throw lowNode.error("log: true needs low >= 1, found \(low)") }
        var step = 1
        if let stepNode = fields["step"] {
            step = try stepNode.int()
            guard step >= 1 else { throw stepNode.error("must be a whole number of at least 1, found \(step)") }
            guard !(log && step > 1) else { throw stepNode.error("a step other than 1 cannot be combined with log: true") }
            guard (high - low) % step == 0 else { throw stepNode.error("high - low (\(high - low)) must be a multiple of step \(step)") }
        }
        return .int(low: low, high: high, log: log, step: step)
    }

    static func parseCategorical(_ fields: OrderedFields) throws -> Distribution {
        let choicesNode = try fields.required("choices", "a non-empty list of values")
        let items = try choicesNode.sequence()
        guard !items.isEmpty else { throw choicesNode.error("must list at least one choice") }
        var choices: [ParameterValue] = []
        for item in items {
            let value = try item.parameterValue()
            guard !choices.contains(value) else { throw item.error("\(value) is listed twice") }
            choices.append(value)
        }
        return .categorical(choices: choices)
    }

    /// `when: {parent: value}` or `when: {parent: [values]}`; parents must be defined earlier in the space.
    static func parseCondition(_ node: SpecNode, earlier: [Parameter]) throws -> [String: [ParameterValue]] {
        let fields = try node.mapping(allowed: earlier.map(\.name), what: "a mapping from earlier parameters to their allowed values")
        var condition: [String: [ParameterValue]] = [:]
        for parent in fields.keys {
            guard let valueNode = fields.index[parent], let parameter = earlier.first(where: { $0.name == parent }) else { continue }
            let items = valueNode.isScalar ? [valueNode] : try valueNode.sequence()
            guard !items.isEmpty else { throw valueNode.error("must list at least one value of \(parent)") }
            condition[parent] = try items.map { item in
                let value = try coerce(item.parameterValue(), to: parameter.distribution)
                guard parameter.distribution.contains(value) else {
                    throw item.error("\(value) is not a possible value of \(parent)")
                }
                return value
            }
        }
        return condition
    }

    /// Integers written where a float is expected become floats, and so on, so `values: [1, 2]` works for a float.
    static func coerce(_ value: ParameterValue, to distribution: Distribution) -> ParameterValue {
        switch (distribution, value) {
        case (.float, .int(let number)): return .double(Double(number))
        case (.int, .double(let number)) where number == number.rounded() && abs(number) < 1e15: return .int(Int(number))
        default: return value
        }
    }
}
