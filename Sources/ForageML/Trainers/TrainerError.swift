import ForageCore

/// Why a trainer could not be set up or could not fit.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    /// The family name is not a built-in trainer.
    case unknownFamily(String, known: [String])
    /// The family does not handle the data's task (ridge is regression only).
    case familyNotForTask(family: String, task: DataSpec.Task)
    /// `auto` needs a `model` parameter naming the family.
    case missingModelParameter
    /// A hyperparameter has a value outside what the family accepts.
    case badParameter(family: String, name: String, value: String, allowed: String)
    /// Training produced a non-finite loss.
    case diverged(family: String, step: Int)
    /// The linear solver failed.
    case solverFailed(family: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFamily(let name, let known):
            return "unknown model family '\(name)'; built-in families: \(known.joined(separator: ", "))"
        case .familyNotForTask(let family, let task):
            return "model family '\(family)' does not support \(task.rawValue) (ridge is regression-only; logistic is classification-only)"
        case .missingModelParameter:
            return "trial model 'auto' needs a parameter named 'model' (ridge | logistic | mlp | gbdt) in the search space"
        case .badParameter(let family, let name, let value, let allowed):
            return "\(family): parameter '\(name)' = \(value) is invalid; allowed: \(allowed)"
        case .diverged(let family, let step): return "\(family): training diverged (non-finite loss) at step \(step)"
        case .solverFailed(let family, let reason): return "\(family): \(reason)"
        }
    }
}
