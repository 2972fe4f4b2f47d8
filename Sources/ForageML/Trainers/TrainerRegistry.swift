import ForageCore

/// The built-in trainer families by name, and `auto` (the family taken from the `model` parameter).
public enum TrainerRegistry {
    /// Every built-in family.
    public static let families: [any Trainer.Type] = [
        RidgeTrainer.self, LogisticTrainer.self, MLPTrainer.self, GBDTTrainer.self,
    ]

    /// The names accepted as `trial.model` (`auto` included).
    public static var familyNames: [String] { families.map { $0.family } + ["auto"] }

    /// The family a trial uses: `family` itself, or for `auto` the `model` parameter, checked against the task.
    public static func resolveFamily(_ family: String, parameters: ParameterSet, task: DataSpec.Task) throws -> any Trainer.Type {
        var name = family
        if family == "auto" {
            guard let value = parameters["model"] else { throw TrainerError.missingModelParameter }
            guard case .string(let chosen) = value else {
                throw TrainerError.badParameter(
                    family: "auto", name: "model", value: value.description, allowed: families.map { $0.family }.joined(separator: " | "))
            }
            name = chosen
        }
        guard let type = families.first(where: { $0.family == name }) else {
            if family == "auto" {
                throw TrainerError.badParameter(
                    family: "auto", name: "model", value: name, allowed: families.map { $0.family }.joined(separator: " | "))
            }
            throw TrainerError.unknownFamily(name, known: familyNames)
        }
        guard type.tasks.contains(task) else { throw TrainerError.familyNotForTask(family: name, task: task) }
        return type
    }

    /// A configured trainer for a trial.
    public static func makeTrainer(family: String, parameters: ParameterSet, task: DataSpec.Task) throws -> any Trainer {
        try resolveFamily(family, parameters: parameters, task: task).init(parameters: parameters, task: task)
    }
}
