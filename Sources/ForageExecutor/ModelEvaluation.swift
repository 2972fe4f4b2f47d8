import ForageCore
import ForageML

/// How a `model:` experiment scores its trials, resolved from `data.evaluation` and the data's size. `auto` follows
/// FLAML's rule (`eval_method='auto'`): cross-validate when the training + validation rows are fewer than 100 000
/// and rows × features is below 2 500 × the seconds of `budget.time` (10 million cells per hour of budget, at
/// FLAML's 0.9 ratio: 25 000 at 10 s, 150 000 at 60 s); holdout without `budget.time` (the trial count is then the
/// user's choice, and the holdout split keeps trials as cheap as they were) and whenever a scheduler prunes (its
/// rungs compare per-step validation metrics of one split).
public enum ModelEvaluation: Sendable, Equatable, CustomStringConvertible {
    /// Train on the training rows, score on the validation rows.
    case holdout
    /// k-fold cross-validation over training + validation rows.
    case crossValidation(folds: Int)

    /// Largest training + validation row count `auto` cross-validates (FLAML's `CV_HOLDOUT_THRESHOLD`).
    public static let autoRowLimit = 100_000
    /// Cells (rows × features) per second of `budget.time` below which `auto` cross-validates.
    public static let autoCellsPerBudgetSecond = 2_500.0

    /// The evaluation of `spec`'s trials on `rows` training + validation rows of `features` encoded features.
    public static func resolve(_ spec: ExperimentSpec, rows: Int, features: Int) -> ModelEvaluation {
        guard let data = spec.data else { return .holdout }
        switch data.evaluation {
        case .holdout: return .holdout
        case .cv: return .crossValidation(folds: data.folds)
        case .auto:
            guard spec.scheduler.algorithm == "none", let time = spec.budget.time, rows < autoRowLimit else { return .holdout }
            return Double(rows) * Double(features) < autoCellsPerBudgetSecond * time ? .crossValidation(folds: data.folds) : .holdout
        }
    }

    /// The evaluation of `spec`'s trials on prepared `data`.
    public static func resolve(_ spec: ExperimentSpec, data: PreparedData) -> ModelEvaluation {
        resolve(spec, rows: data.train.count + data.validation.count, features: data.featureCount)
    }

    /// The number of folds, or nil for holdout.
    public var folds: Int? {
        if case .crossValidation(let folds) = self { return folds }
        return nil
    }

    public var description: String {
        switch self {
        case .holdout: "holdout"
        case .crossValidation(let folds): "\(folds)-fold cross-validation"
        }
    }
}
