import ForageCore
import Foundation

/// Reads the `data:` section of a model experiment.
enum DataParser {
    static func parse(_ node: SpecNode, baseDirectory: String) throws -> DataSpec {
        let fields = try node.mapping(allowed: ["path", "target", "task", "validation", "test", "seed", "categorical", "missing", "delimiter"])
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

/// Reads the `searcher:` section; the allowed options depend on the algorithm.
enum SearcherParser {
    static func parse(_ node: SpecNode) throws -> SearcherSpec {
        let algorithm = try AlgorithmField.parse(node, as: SearcherSpec.Algorithm.self, what: "searcher")
        let options: [String]
        switch algorithm {
        case .grid: options = ["points"]
        case .random: options = []
        case .sobol: options = ["scramble"]
        case .tpe: options = ["n_startup", "n_candidates", "gamma", "multivariate", "constant_liar"]
        }
        let fields = try node.mapping(allowed: ["algorithm", "seed"] + options)
        var spec = SearcherSpec(algorithm: algorithm)
        if let seedNode = fields["seed"] {
            let seed = try seedNode.int()
            guard seed >= 0 else { throw seedNode.error("must be 0 or more, found \(seed)") }
            spec.seed = UInt64(seed)
        }
        if let node = fields["points"] { spec.gridPoints = try SpecLoader.positive(node.int(), node) }
        if let node = fields["scramble"] { spec.scramble = try node.bool() }
        if let node = fields["n_startup"] { spec.tpe.startupTrials = try SpecLoader.positive(node.int(), node) }
        if let node = fields["n_candidates"] { spec.tpe.candidates = try SpecLoader.positive(node.int(), node) }
        if let node = fields["gamma"] {
            let gamma = try node.double()
            guard gamma > 0, gamma < 1 else { throw node.error("must be a fraction in (0, 1), found \(gamma)") }
            spec.tpe.gamma = gamma
        }
        if let node = fields["multivariate"] { spec.tpe.multivariate = try node.bool() }
        if let node = fields["constant_liar"] { spec.tpe.constantLiar = try node.bool() }
        return spec
    }
}

/// Reads the `scheduler:` section; the allowed options depend on the algorithm.
enum SchedulerParser {
    static func parse(_ node: SpecNode, trial: TrialSpec) throws -> SchedulerSpec {
        let algorithm = try AlgorithmField.parse(node, as: SchedulerSpec.Algorithm.self, what: "scheduler")
        let options: [String]
        switch algorithm {
        case .none: options = []
        case .median: options = ["n_startup", "n_warmup"]
        case .asha: options = ["resource", "min", "max", "reduction"]
        case .hyperband: options = ["resource", "min", "max", "reduction", "brackets"]
        }
        let fields = try node.mapping(allowed: ["algorithm"] + options)
        var spec = SchedulerSpec(algorithm: algorithm)
        if let steps = trial.steps { spec.maxResource = steps }
        if let node = fields["n_startup"] { spec.startupTrials = try SpecLoader.positive(node.int(), node) }
        if let node = fields["n_warmup"] {
            spec.warmupSteps = try node.int()
            guard spec.warmupSteps >= 0 else { throw node.error("must be 0 or more, found \(spec.warmupSteps)") }
        }
        if let node = fields["resource"] { spec.resource = try node.string() }
        if let node = fields["min"] { spec.minResource = try SpecLoader.positive(node.int(), node) }
        if let node = fields["max"] { spec.maxResource = try SpecLoader.positive(node.int(), node) }
        if let node = fields["reduction"] {
            spec.reduction = try node.int()
            guard spec.reduction >= 2 else { throw node.error("must be at least 2, found \(spec.reduction)") }
        }
        if let node = fields["brackets"] { spec.brackets = try SpecLoader.positive(node.int(), node) }
        if algorithm == .asha || algorithm == .hyperband, spec.minResource >= spec.maxResource {
            throw (fields["min"] ?? node).error("min (\(spec.minResource)) must be smaller than max (\(spec.maxResource))")
        }
        return spec
    }
}

/// Reads the `algorithm:` key of a section whose other allowed keys depend on it (searcher, scheduler).
enum AlgorithmField {
    static func parse<Algorithm: RawRepresentable & CaseIterable>(_ node: SpecNode, as type: Algorithm.Type, what: String) throws -> Algorithm
    where Algorithm.RawValue == String {
        let names = Algorithm.allCases.map(\.rawValue)
        let algorithmNode = try node.mapping().required("algorithm", "one of \(names.joined(separator: ", "))")
        let name = try algorithmNode.string()
        guard let algorithm = Algorithm(rawValue: name) else {
            let hint = closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw algorithmNode.error("'\(name)' is not a \(what)\(hint); allowed: \(names.joined(separator: ", "))")
        }
        return algorithm
    }
}
