import ForageCore

/// Reads the `resources:` section: `{gpus: [0, 1, 2, 3], gpus_per_trial: 1 | 0.5}`.
enum ResourceParser {
    static let keys = ["gpus", "gpus_per_trial"]

    static func parse(_ node: SpecNode, trial: TrialSpec) throws -> ResourceSpec {
        let fields = try node.mapping(allowed: keys, what: "a mapping with gpus and gpus_per_trial")
        guard case .command = trial.kind else { throw node.error("is only for command trials (they get CUDA_VISIBLE_DEVICES)") }
        let gpusNode = try fields.required("gpus", "a list of GPU ids, e.g. [0, 1]")
        let gpus = try gpusNode.sequence().map { item -> String in
            let text = try item.string()
            guard !text.isEmpty, !text.contains(","), !text.contains(" ") else { throw item.error("'\(text)' is not a GPU id (a number such as 0, or a UUID)") }
            return text
        }
        guard !gpus.isEmpty else { throw gpusNode.error("is empty; list the GPUs trials may use, e.g. [0, 1]") }
        if let twice = gpus.first(where: { id in gpus.filter { $0 == id }.count > 1 }) { throw gpusNode.error("lists GPU \(twice) twice") }
        var spec = ResourceSpec(gpus: gpus)
        if let perTrial = fields["gpus_per_trial"] {
            spec.gpusPerTrial = try perTrial.double()
            if let problem = ResourceSpec.problem(gpusPerTrial: spec.gpusPerTrial, count: gpus.count) { throw perTrial.error(problem) }
        }
        return spec
    }
}
