import ForageCore
import ForageSearch
import Foundation

/// Reads the `data:` section of a model experiment.
enum DataParser {
    static func parse(_ node: SpecNode, baseDirectory: String) throws -> DataSpec {
        let fields = try node.mapping(allowed: ["path", "target", "task", "validation", "test", "seed", "categorical", "missing", "delimiter", "evaluation", "folds"])
        let pathNode = try fields.required("path", "the CSV file, relative to the spec")
        let relative = try pathNode.string()
        let path = relative.hasPrefix("/") ? relative : URL(fileURLWithPath: baseDirectory).appendingPathComponent(relative).standardized.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw pathNode.error("data file '\(relative)' not found (looked for \(path))")
        }
        let target = try fields.required("target", "the name of the column to predict").string()
        let taskNode = try fields.required("task", "classification or regression")
        let taskName = try taskNode.string()
        guard let task = DataSpec.Task(rawValue: taskName) else {
            throw taskNode.error("'\(taskName)' is not a task; allowed: classification, regression")
        }
        var data = DataSpec(path: path, target: target, task: task)
        if let node = fields["validation"] { data.validation = try fraction(node) }
        if let node = fields["test"] { data.test = try fraction(node) }
        guard data.validation > 0 else { throw node.error("validation must be greater than 0: the search is driven by validation metrics") }
        guard data.validation + data.test < 0.9 else {
            throw node.error("validation + test = \(data.validation + data.test) leaves too few training rows; keep it under 0.9")
        }
        if let node = fields["seed"] {
            let seed = try node.int()
            guard seed >= 0 else { throw node.error("must be 0 or more, found \(seed)") }
            data.seed = UInt64(seed)
        }
        if let node = fields["categorical"] { data.categorical = try node.sequence().map { try $0.string() } }
        if let node = fields["missing"] {
            let text = try node.string()
            guard let missing = DataSpec.MissingValues(rawValue: text) else {
                throw node.error("'\(text)' is not allowed; allowed: \(DataSpec.MissingValues.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            data.missing = missing
        }
        if let node = fields["delimiter"] { data.delimiter = try delimiter(node) }
        if let node = fields["evaluation"] {
            let text = try node.string()
            guard let evaluation = DataSpec.Evaluation(rawValue: text) else {
                throw node.error("'\(text)' is not allowed; allowed: \(DataSpec.Evaluation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            data.evaluation = evaluation
        }
        if let node = fields["folds"] {
            let folds = try node.int()
            guard (2...20).contains(folds) else { throw node.error("must be an integer from 2 to 20, found \(folds)") }
            guard data.evaluation != .holdout else {
                throw node.error("sets the folds of cross-validation, and data.evaluation is holdout; use evaluation: cv (or auto), or remove folds")
            }
            data.folds = folds
        }
        return data
    }

    /// The separators `data.delimiter` accepts, with how they are written in a spec.
    static let delimiters: [(byte: UInt8, written: String)] = [
        (UInt8(ascii: ","), "','"), (UInt8(ascii: ";"), "';'"), (UInt8(ascii: "\t"), "a tab (\"\\t\")"), (UInt8(ascii: "|"), "'|'"),
        (UInt8(ascii: ":"), "':'"),
    ]

    /// `data.delimiter`: one of `delimiters` (the word `tab` is a tab too).
    static func delimiter(_ node: SpecNode) throws -> UInt8 {
        let text = try node.string()
        let bytes = Array((text == "tab" ? "\t" : text).utf8)
        if bytes.count == 1, let match = delimiters.first(where: { $0.byte == bytes[0] }) { return match.byte }
        let shown = text.replacingOccurrences(of: "\t", with: "\\t")
        throw node.error("'\(shown)' is not a CSV delimiter; allowed: \(delimiters.map(\.written).joined(separator: ", ")) (default ',')")
    }

    static func fraction(_ node: SpecNode) throws -> Double {
        let value = try node.double()
        guard value >= 0, value < 1 else { throw node.error("must be a fraction in [0, 1), found \(value)") }
        return value
    }
}

/// Reads the `searcher:` section: `algorithm`, `seed`, and the options the sampler declares in its registry entry.
enum SearcherParser {
    static func parse(_ node: SpecNode) throws -> SearcherSpec {
        let entries = SamplerRegistry.entries
        let entry = try AlgorithmField.parse(node, in: entries.map(\.name), what: "searcher").flatMap { name in
            entries.first { $0.name == name }
        }
        guard let entry else { throw node.error("unknown searcher") }
        let fields = try node.mapping(allowed: ["algorithm", "seed"] + entry.options.map(\.name))
        var spec = SearcherSpec(algorithm: entry.name)
        if let seedNode = fields["seed"] {
            let seed = try seedNode.int()
            guard seed >= 0 else { throw seedNode.error("must be 0 or more, found \(seed)") }
            spec.seed = UInt64(seed)
        }
        spec.options = try OptionsParser.parse(fields, keys: entry.options)
        do {
            try entry.check(spec.options)
        } catch let error as SamplerError {
            throw (error.key.flatMap { fields[$0] } ?? node).error(error.description)
        }
        return spec
    }
}

/// Reads the `scheduler:` section: `algorithm` and the options the scheduler declares in its registry entry.
enum SchedulerParser {
    static func parse(_ node: SpecNode, trial: TrialSpec) throws -> SchedulerSpec {
        let entries = SchedulerRegistry.entries
        let entry = try AlgorithmField.parse(node, in: entries.map(\.name), what: "scheduler").flatMap { name in
            entries.first { $0.name == name }
        }
        guard let entry else { throw node.error("unknown scheduler") }
        let fields = try node.mapping(allowed: ["algorithm"] + entry.options.map(\.name))
        let spec = SchedulerSpec(algorithm: entry.name, options: try OptionsParser.parse(fields, keys: entry.options))
        // Built once here so that options that do not fit together (min not below max) are refused before anything runs.
        do {
            _ = try entry.build(SchedulerContext(options: spec.options, trialSteps: trial.steps))
        } catch let error as SchedulerError {
            throw (error.key.flatMap { fields[$0] } ?? node).error(error.description)
        }
        return spec
    }
}

/// Reads an algorithm's declared options from its section, checking each value against its `OptionKey`.
enum OptionsParser {
    static func parse(_ fields: OrderedFields, keys: [OptionKey]) throws -> AlgorithmOptions {
        var options = AlgorithmOptions()
        for key in keys {
            guard let node = fields[key.name] else { continue }
            let value: ParameterValue
            switch key.kind {
            case .int: value = .int(try node.int())
            case .number: value = .double(try node.double())
            case .bool: value = .bool(try node.bool())
            case .choice, .string: value = .string(try node.string())
            }
            if let problem = key.problem(with: value) { throw node.error(problem) }
            options[key.name] = value
        }
        return options
    }
}

/// Reads the `algorithm:` key of a section whose other allowed keys depend on it (searcher, scheduler).
enum AlgorithmField {
    /// The algorithm's name, one of `names`; an unknown one is refused with the closest match.
    static func parse(_ node: SpecNode, in names: [String], what: String) throws -> String? {
        let algorithmNode = try node.mapping().required("algorithm", "one of \(names.joined(separator: ", "))")
        let name = try algorithmNode.string()
        guard names.contains(name) else {
            let hint = closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw algorithmNode.error("'\(name)' is not a \(what)\(hint); allowed: \(names.joined(separator: ", "))")
        }
        return name
    }
}
