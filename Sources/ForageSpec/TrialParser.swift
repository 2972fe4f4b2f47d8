import ForageCore

/// Reads the `trial:` section: exactly one of `function`, `model` or `command`, with its options.
enum TrialParser {
    static let keys = ["function", "model", "command", "external", "lease", "objectives", "steps", "timeout", "grace", "env", "metrics", "args"]
    static let families = ["ridge", "logistic", "mlp", "gbdt", "auto"]

    static func parse(_ node: SpecNode, space: SearchSpace) throws -> TrialSpec {
        let fields = try node.mapping(allowed: keys, what: "a mapping with one of function, model, command or external")
        let kinds = ["function", "model", "command", "external"].filter { fields.has($0) }
        guard kinds.count == 1 else {
            throw node.error(kinds.isEmpty ? "needs one of function, model, command or external" : "has both \(kinds.joined(separator: " and ")); give exactly one")
        }
        let kind: TrialSpec.Kind
        var isShellString = false
        var functionObjectives: Int?
        switch kinds[0] {
        case "function":
            let nameNode = try fields.required("function", "")
            let name = try nameNode.string()
            guard let function = BenchmarkFunction(rawValue: name) else {
                let all = BenchmarkFunction.allCases.map(\.rawValue)
                let hint = closest(name, in: all).map { " (did you mean '\($0)'?)" } ?? ""
                throw nameNode.error("'\(name)' is not a built-in function\(hint); allowed: \(all.joined(separator: ", "))")
            }
            if let objectivesNode = fields["objectives"] {
                guard function == .dtlz2 else { throw objectivesNode.error("is only for function: dtlz2 (its number of objectives)") }
                functionObjectives = try objectivesNode.int()
                guard (2...32).contains(functionObjectives ?? 0) else { throw objectivesNode.error("must be between 2 and 32") }
            }
            try checkInputs(of: function, in: space, objectives: functionObjectives, at: nameNode)
            kind = .function(name: function.rawValue)
        case "model":
            let familyNode = try fields.required("model", "")
            let family = try familyNode.string()
            guard families.contains(family) else {
                throw familyNode.error("'\(family)' is not a built-in model; allowed: \(families.joined(separator: ", "))")
            }
            if family == "auto", space["model"] == nil {
                throw familyNode.error("model: auto searches the family too: the search space needs a categorical parameter `model` (see Search/tabular-auto.yaml), or leave out `search_space:` to search the built-in one")
            }
            kind = .model(family: family)
        case "external":
            let externalNode = try fields.required("external", "")
            guard try externalNode.bool() else {
                throw externalNode.error("must be true (trials run elsewhere, through `forage ask` and `forage tell`); leave it out otherwise")
            }
            kind = .external
        default:
            let commandNode = try fields.required("command", "")
            let arguments: [String]
            if commandNode.isScalar {
                let script = try commandNode.string()
                try checkPlaceholders(script, at: commandNode, space: space)
                arguments = ["/bin/sh", "-c", script]
            } else {
                arguments = try commandNode.sequence().map { node in
                    let argument = try node.string()
                    try checkPlaceholders(argument, at: node, space: space)
                    return argument
                }
            }
            guard let program = arguments.first, !program.isEmpty else { throw commandNode.error("must name a program to run") }
            kind = .command(arguments: arguments)
            isShellString = commandNode.isScalar
        }
        var spec = TrialSpec(kind: kind)
        spec.isShellString = isShellString
        spec.functionObjectives = functionObjectives
        if let stepsNode = fields["steps"] {
            guard case .function = kind else { throw stepsNode.error("is only for built-in functions (models report epochs, commands report steps themselves)") }
            spec.steps = try SpecLoader.positive(stepsNode.int(), stepsNode)
        }
        spec.timeout = try fields["timeout"]?.duration()
        if let graceNode = fields["grace"] { spec.gracePeriod = try graceNode.duration() }
        if let envNode = fields["env"] {
            guard case .command = kind else { throw envNode.error("is only for command trials") }
            let env = try envNode.mapping()
            for key in env.keys {
                spec.environment[key] = try env.index[key]?.string() ?? ""
            }
        }
        if let leaseNode = fields["lease"] {
            guard case .external = kind else { throw leaseNode.error("is only for external trials (external: true)") }
            spec.leaseTimeout = try leaseNode.duration()
            guard spec.leaseTimeout > 0 else { throw leaseNode.error("must be longer than 0 s") }
        }
        if let metricsNode = fields["metrics"] {
            guard case .command = kind else { throw metricsNode.error("is only for command trials") }
            spec.metricFormat = try metricFormat(metricsNode)
        }
        if let argsNode = fields["args"] {
            guard case .command = kind else { throw argsNode.error("is only for command trials") }
            let text = try argsNode.string()
            guard let style = ArgumentStyle(rawValue: text) else {
                throw argsNode.error("'\(text)' is not an argument style; allowed: \(ArgumentStyle.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            spec.argumentStyle = style
        }
        return spec
    }

    static let metricFormats = ["json", "key-value", "{regex: PATTERN}"]

    /// `trial.metrics`: `json`, `key-value`, or `{regex: PATTERN}` with groups `name` and `value`, or one group per metric.
    static func metricFormat(_ node: SpecNode) throws -> MetricFormat {
        if node.isScalar {
            switch try node.string() {
            case "json": return .json
            case "key-value", "key_value", "keyvalue": return .keyValue
            case let other: throw node.error("'\(other)' is not a metric format; allowed: \(metricFormats.joined(separator: ", "))")
            }
        }
        let fields = try node.mapping(allowed: ["regex"], what: "json, key-value or {regex: PATTERN}")
        let patternNode = try fields.required("regex", "a regular expression")
        let pattern = try patternNode.string()
        let groups: [String]
        do {
            groups = try MetricPattern.compile(pattern).groups
        } catch {
            throw patternNode.error("'\(pattern)' is not a valid regular expression")
        }
        let metricGroups = groups.filter { $0 != "step" }
        guard !metricGroups.isEmpty else {
            throw patternNode.error("needs named groups: `name` and `value` (one metric per match), or one group named after each metric, e.g. (?P<accuracy>[-+.0-9eE]+)")
        }
        if groups.contains("name") != groups.contains("value") {
            throw patternNode.error("has a group `\(groups.contains("name") ? "name" : "value")` without `\(groups.contains("name") ? "value" : "name")`: give both, or one group named after each metric")
        }
        return .regex(pattern)
    }

    /// A `{name}` in a command that names no parameter is a typo, not text to pass on: JSON and other braces are not
    /// placeholders (`CommandTemplate.placeholders`), nor is the shell's `${NAME}`.
    static func checkPlaceholders(_ text: String, at node: SpecNode, space: SearchSpace) throws {
        guard let unknown = CommandTemplate.unknownPlaceholders(in: text, declared: space.names).first else { return }
        let hint = closest(unknown, in: space.names).map { " (did you mean '{\($0)}'?)" } ?? ""
        let allowed = space.names.isEmpty ? "the search space declares no parameters" : "parameters: \(space.names.joined(separator: ", "))"
        throw node.error(
            "placeholder '{\(unknown)}' names no parameter of the search space\(hint); \(allowed) "
                + "(braces that are not a placeholder need a space or other sign inside, e.g. '{ \(unknown) }')")
    }

    /// Built-in functions read `x0, x1, …` (Branin `x`, `y`): a space without them is a spec error, not a failed run.
    static func checkInputs(of function: BenchmarkFunction, in space: SearchSpace, objectives: Int?, at node: SpecNode) throws {
        let needed: [String]
        switch function {
        case .branin, .branin_constrained: needed = space["x"] != nil ? ["x", "y"] : ["x0", "x1"]
        case .zdt1, .zdt2: needed = ["x0", "x1"]
        case .dtlz2: needed = (0..<(objectives ?? 3)).map { "x\($0)" }
        case .hartmann6: needed = (0..<6).map { "x\($0)" }
        case .rosenbrock, .ackley, .sphere, .styblinski: needed = ["x0"]
        case .noop: needed = []
        case .sleep: needed = ["seconds"]
        }
        let missing = needed.filter { space[$0] == nil }
        guard missing.isEmpty else {
            throw node.error("\(function.rawValue) reads parameters \(needed.joined(separator: ", ")); the search space lacks \(missing.joined(separator: ", "))")
        }
    }
}
