import ForageCore
import Foundation

/// Reads the warm-start sections: `enqueue:` (a list of exact parameter sets) and `warm_start:`.
enum WarmStartParser {
    /// `enqueue: [{lr: 0.01, hidden: 64}, …]`, each checked against `space` (`enqueue[1].lr` names a bad value).
    static func parseEnqueue(_ node: SpecNode, space: SearchSpace) throws -> [ParameterSet] {
        try node.sequence().map { item in
            let fields = try item.mapping(what: "a mapping of parameter names to values, e.g. {lr: 0.01, hidden: 64}")
            var values = ParameterSet()
            for key in fields.keys {
                guard let child = fields.index[key] else { continue }
                values[key] = try child.parameterValue()
            }
            do {
                return try space.exactParameters(values)
            } catch let problem as ParameterProblem {
                throw (fields.index[problem.name] ?? item).error(
                    fields.index[problem.name] == nil ? problem.description : problem.message)
            }
        }
    }

    /// `warm_start: {experiment: NAME, store: PATH}`; a relative store path is resolved against the spec's folder.
    static func parseWarmStart(_ node: SpecNode, baseDirectory: String) throws -> WarmStartSpec {
        let fields = try node.mapping(allowed: ["experiment", "store"], what: "a mapping {experiment: NAME, store: PATH}")
        let nameNode = try fields.required("experiment", "the name of the experiment to learn from")
        let name = try SpecLoader.validName(nameNode.string(), at: nameNode)
        let store = try fields["store"].map { node -> String in
            let text = try node.string()
            if text.contains("://") || text.hasPrefix("/") { return text }
            return URL(fileURLWithPath: baseDirectory).appendingPathComponent(text).standardized.path
        }
        return WarmStartSpec(experiment: name, store: store)
    }
}
