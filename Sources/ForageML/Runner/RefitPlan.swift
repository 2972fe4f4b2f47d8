import ForageCore

/// How a finished trial's configuration is retrained on training + validation rows: the same hyperparameters,
/// except that a gbdt trial that stopped early (or was cut at `budget.time`) gets the rounds it kept scaled to the larger training set (and no
/// early stopping, since its validation rows are now training rows), and an MLP the epochs it ran.
public enum RefitPlan {
    /// The parameters of the refit of a trial that ran `steps` steps (rounds or epochs) with `params`, on data
    /// whose training part grows from `trainRows` to `trainRows + validationRows`.
    public static func parameters(
        family: String, params: ParameterSet, steps: Int?, trainRows: Int, validationRows: Int
    ) -> ParameterSet {
        var values = params.values
        var resolved = family
        if family == "auto", case .string(let chosen)? = params["model"] { resolved = chosen }
        switch resolved {
        case GBDTTrainer.family:
            let earlyStopping = values["early_stopping_rounds"].flatMap { value -> Double? in
                switch value {
                case .int(let x): return Double(x)
                case .double(let x): return x
                default: return nil
                }
            } ?? 0
            let configured = values["rounds"].flatMap { value -> Int? in
                if case .int(let x) = value { return x }
                return nil
            } ?? 100
            // Early stopping, or a trial that `budget.time` cut short: refit with the rounds it kept, scaled.
            if let steps, steps > 0, earlyStopping > 0 || steps < configured {
                let scale = Double(trainRows + validationRows) / Double(max(trainRows, 1))
                values["rounds"] = .int(max(1, Int((Double(steps) * scale).rounded())))
                values["early_stopping_rounds"] = .int(0)
            }
        case MLPTrainer.family:
            if let steps, steps > 0 { values["epochs"] = .int(steps) }
        default:
            break
        }
        return ParameterSet(values)
    }

    /// Refits: trains `family` with the planned parameters on `data`'s training + validation rows and returns the
    /// result; its metrics keep only `test_*` (validation rows were trained on) plus `refit_train_rows`.
    public static func run(
        family: String, params: ParameterSet, steps: Int?, data: PreparedData, treeThreads: Int
    ) throws -> ModelTrialResult {
        let planned = parameters(
            family: family, params: params, steps: steps, trainRows: data.train.count, validationRows: data.validation.count)
        let merged = data.mergingValidationIntoTraining()
        let result = try ModelTrialRunner.run(
            family: family, params: planned, data: merged, threads: 1, treeThreads: treeThreads) { _, _ in true }
        var metrics = result.metrics.filter { $0.key.hasPrefix("test_") }
        metrics["refit_train_rows"] = Double(merged.train.count)
        var model = result.model
        model.header.metrics = metrics
        return ModelTrialResult(
            metrics: metrics, stopped: false, steps: result.steps, model: model, family: result.family,
            fitSeconds: result.fitSeconds, flops: result.flops)
    }
}
