import ForageCore
import Foundation
import Yams

/// Reads an experiment spec (YAML or JSON) into a validated `ExperimentSpec`.
///
/// Strict by design: unknown keys, wrong types and impossible values are `SpecError`s that name the file, the key
/// path and what is allowed, so a typo such as `paralel` never passes silently.
public enum SpecLoader {
    static let topLevelKeys = [
        "name", "description", "objective", "objectives", "constraints", "trial", "data", "search_space", "searcher", "scheduler", "budget",
        "promote", "resources", "refit", "enqueue", "warm_start",
    ]

    /// Loads and validates the spec at `path`.
    public static func load(path: String) throws -> ExperimentSpec {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw SpecError(file: path, keyPath: "", message: "no such file")
        }
        guard !isDirectory.boolValue else { throw SpecError(file: path, keyPath: "", message: "is a folder, not a spec file") }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SpecError(file: path, keyPath: "", message: "cannot be read as UTF-8 text (\(FileProblem.reason(error, path: path)))")
        }
        return try parse(text, file: path, baseDirectory: url.deletingLastPathComponent().path)
    }

    /// Validates spec `text`; `file` names it in errors and `baseDirectory` resolves its relative paths.
    public static func parse(_ text: String, file: String, baseDirectory: String) throws -> ExperimentSpec {
        let root = try compose(text, file: file)
        let fields = try root.mapping(allowed: topLevelKeys, what: "a mapping of spec sections (\(topLevelKeys.joined(separator: ", ")))")

        let fileName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let name = try fields["name"].map { try validName($0.string(), at: $0) } ?? fileName
        guard ExperimentName.isValid(name) else {
            throw SpecError(
                file: file, keyPath: "name",
                message: "is missing and the file name '\(fileName)' is not a valid experiment name; add `name:` (\(ExperimentName.rule))")
        }
        if let description = fields["description"] { _ = try description.string() }
        let goals = try GoalsParser.parse(fields)
        let space: SearchSpace
        // The search space read from another file (or the shipped default), inlined into the stored spec so that a
        // resume never reads that file again.
        var spaceText: String?
        if let spaceNode = fields["search_space"] {
            (space, spaceText) = try parseSearchSpaceField(spaceNode, baseDirectory: baseDirectory)
        } else if let shipped = DefaultSpaces.forAutoModel(trial: fields["trial"], data: fields["data"]) {
            // `model: auto` without a search space searches the shipped one for its task.
            space = try SpaceParser.parse(compose(shipped.text, file: shipped.name))
            spaceText = shipped.text
        } else {
            (space, spaceText) = try parseSearchSpaceField(
                fields.required("search_space", "a mapping of parameters, or the path of a search-space file"), baseDirectory: baseDirectory)
        }
        let trial = try TrialParser.parse(fields.required("trial", "one of function, model or command"), space: space)
        let data = try fields["data"].map { try DataParser.parse($0, baseDirectory: baseDirectory) }
        if case .model = trial.kind, data == nil {
            throw try fields.required("trial", "").error("a model trial needs a `data:` section (path, target, task)")
        }
        // `model: auto` searches cost-frugally by default (cheap families and configurations first).
        let searcher = try fields["searcher"].map(SearcherParser.parse) ?? SearcherSpec(algorithm: trial.kind == .model(family: "auto") ? "cfo" : "random")
        let scheduler = try fields["scheduler"].map { try SchedulerParser.parse($0, trial: trial) } ?? SchedulerSpec()
        if data?.evaluation == .cv, scheduler.algorithm != "none", let dataNode = fields["data"],
            let evaluationNode = try dataNode.mapping()["evaluation"]
        {
            throw evaluationNode.error(
                "cv does not work with scheduler '\(scheduler.algorithm)': a cross-validated trial reports its mean over the folds once, "
                    + "at its end, so there is no step to stop it at; use evaluation: holdout, or scheduler: {algorithm: none}")
        }
        let budget = try fields["budget"].map(parseBudget) ?? Budget()
        let promote = try fields["promote"].map(parsePromote)
        let refit = try fields["refit"].map { try $0.bool() }
        if refit == true, !{ if case .model = trial.kind { true } else { false } }() {
            throw try fields.required("refit", "").error("refit: true needs a `model:` trial (only built-in models are retrained)")
        }

        var spec = ExperimentSpec(
            name: name, objective: goals.primary, trial: trial, data: data, searchSpace: space, searcher: searcher,
            scheduler: scheduler, budget: budget, promote: promote, source: try spaceText.map { try resolved(text, inlining: $0, file: file) } ?? text,
            baseDirectory: baseDirectory)
        spec.goals = goals
        try GoalsParser.check(goals, trial: trial, at: fields)
        spec.resources = try fields["resources"].map { try ResourceParser.parse($0, trial: trial) }
        spec.refit = refit
        spec.enqueue = try fields["enqueue"].map { try WarmStartParser.parseEnqueue($0, space: space) } ?? []
        spec.warmStart = try fields["warm_start"].map { try WarmStartParser.parseWarmStart($0, baseDirectory: baseDirectory) }
        if let warm = spec.warmStart, warm.store == nil, warm.experiment == name {
            throw try fields.required("warm_start", "").error("names the experiment itself; name another experiment to learn from")
        }
        return spec
    }

    /// The spec text with its search space inlined (the stored, resolved spec of DESIGN §6).
    static func resolved(_ text: String, inlining spaceText: String, file: String) throws -> String {
        do {
            guard var root = try Yams.compose(yaml: text), var mapping = root.mapping, let space = try Yams.compose(yaml: spaceText) else {
                return text
            }
            mapping["search_space"] = space
            root = .mapping(mapping)
            return "# resolved from \(file): the search space is inlined\n" + (try Yams.serialize(node: root))
        } catch {
            throw SpecError(file: file, keyPath: "search_space", message: "cannot be inlined into the stored spec: \((error as? YamlError).map(yamlProblem) ?? "\(error)")")
        }
    }

    /// Parses YAML text into a root node, turning syntax errors into `SpecError`s with a line number.
    static func compose(_ text: String, file: String) throws -> SpecNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            // JSON may be indented with tabs: there a tab is only to blame when the error is on its line.
            let isJSON = text.first { !$0.isWhitespace }.map { $0 == "{" || $0 == "[" } ?? false
            if let line = firstTabIndentedLine(text), line <= (yamlLine(error) ?? Int.max),
                !isJSON || yamlLine(error) == line || yamlProblem(error).contains("tab")
            {
                throw SpecError(
                    file: file, keyPath: "", line: line,
                    message: "is not valid YAML: line \(line) is indented with a tab, and tabs are not allowed in YAML indentation; indent with spaces")
            }
            throw SpecError(file: file, keyPath: "", line: yamlLine(error), message: "is not valid YAML or JSON: \(yamlProblem(error))")
        } catch {
            throw SpecError(file: file, keyPath: "", message: "is not valid YAML or JSON: \(error)")
        }
        guard let node else { throw SpecError(file: file, keyPath: "", message: "is empty; a spec needs at least objective, trial and search_space") }
        return SpecNode(node: node, path: "", file: file)
    }

    /// The 1-based number of the first line whose indentation holds a tab, if any.
    static func firstTabIndentedLine(_ text: String) -> Int? {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            if indentation.contains("\t"), indentation.count < line.count { return number }
        }
        return nil
    }

    /// A name that is safe as a folder name and readable in a table (the one rule of `ExperimentName`).
    static func validName(_ name: String, at node: SpecNode) throws -> String {
        guard ExperimentName.isValid(name) else { throw node.error("'\(name)' is not a valid name; use \(ExperimentName.rule)") }
        return name
    }

    static func parseObjective(_ node: SpecNode) throws -> Objective {
        let fields = try node.mapping(allowed: ["metric", "direction"])
        let metric = try fields.required("metric", "the metric to optimise, e.g. val_accuracy or value").string()
        let directionNode = try fields.required("direction", "minimize or maximize")
        let text = try directionNode.string()
        guard let direction = Direction(rawValue: text.lowercased()) else {
            let hint = closest(text, in: Direction.allCases.map(\.rawValue)).map { " (did you mean '\($0)'?)" } ?? ""
            throw directionNode.error("'\(text)' is not a direction\(hint); allowed: minimize, maximize")
        }
        return Objective(metric: metric, direction: direction)
    }

    /// The search space a `search_space:` field gives, and the text of the file it names (nil when inline).
    static func parseSearchSpaceField(_ node: SpecNode, baseDirectory: String) throws -> (SearchSpace, String?) {
        guard node.isScalar else { return (try SpaceParser.parse(node), nil) }
        let relative = try node.string()
        let path = relative.hasPrefix("/") ? relative : URL(fileURLWithPath: baseDirectory).appendingPathComponent(relative).standardized.path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw node.error("search-space file '\(relative)' not found (looked for \(path))")
        }
        let root = try compose(text, file: path)
        return (try SpaceParser.parse(root), text)
    }

    static func parseBudget(_ node: SpecNode) throws -> Budget {
        let fields = try node.mapping(allowed: ["trials", "parallel", "time", "timeout", "max_failures", "retries"])
        var budget = Budget()
        if let node = fields["time"] {
            budget.time = try node.duration()
            // Time alone: the clock decides, with a trial cap no search reaches in practice.
            if fields["trials"] == nil { budget.trials = Budget.trialsUnderTimeOnly }
        }
        if let node = fields["trials"] { budget.trials = try positive(node.int(), node) }
        if let node = fields["parallel"] {
            // 0 is a pure coordinator: every trial runs on remote workers (`--listen`).
            budget.parallel = try node.int()
            guard budget.parallel >= 0 else { throw node.error("must be 0 (remote workers only) or more, found \(budget.parallel)") }
        }
        if let node = fields["timeout"] { budget.timeout = try node.duration() }
        if let node = fields["max_failures"] { budget.maxFailures = try positive(node.int(), node) }
        if let node = fields["retries"] {
            budget.retries = try node.int()
            guard budget.retries >= 0 else { throw node.error("must be 0 or more, found \(budget.retries)") }
        }
        return budget
    }

    static func parsePromote(_ node: SpecNode) throws -> PromoteSpec {
        let fields = try node.mapping(allowed: ["model", "alias", "if_better"])
        let modelNode = try fields.required("model", "the registry model name")
        let model = try validName(modelNode.string(), at: modelNode)
        let alias = try fields["alias"].map { try validName($0.string(), at: $0) }
        let ifBetter = try fields["if_better"]?.bool() ?? false
        return PromoteSpec(model: model, alias: alias, ifBetter: ifBetter)
    }

    static func positive(_ value: Int, _ node: SpecNode) throws -> Int {
        guard value >= 1 else { throw node.error("must be a whole number of at least 1, found \(value)") }
        return value
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        default:
            return "\(error)".components(separatedBy: "\n").first ?? "\(error)"
        }
    }
}
