import ForageCore
import ForageML
import Foundation

/// Retrains a finished model trial's configuration on training + validation rows (`RefitPlan`), reading the data
/// as the spec names it. The rounds a gbdt trial kept (the epochs an MLP ran, the last one maybe in part, when
/// `budget.time` cut it) come from its model file when it has one; for a cross-validated trial, the mean over its
/// folds (`cv_steps`), scaled from a fold's training rows (`cv_train_rows`) to all training + validation rows.
public enum ModelRefitter {
    /// Refits the trial with `params` that ran `lastStep` steps and left its model at `trialModel` (if any), on
    /// `data` when the caller has it loaded (else the spec's data is read). Synchronous and CPU-bound: call it from
    /// a Dispatch queue.
    public static func refit(spec: ExperimentSpec, params: ParameterSet, lastStep: Int?, trialModel: String?, data loaded: PreparedData? = nil) throws
        -> (result: ModelTrialResult, params: ParameterSet)
    {
        guard case .model(let family) = spec.trial.kind, let dataSpec = spec.data else {
            throw ExecutorSetupError(description: "only `model:` trials can be refitted")
        }
        let data = try loaded ?? Dataset.load(dataSpec)
        var steps = lastStep
        var trainRows = data.train.count
        let file = trialModel.flatMap { try? ModelFile.read(from: $0) }
        if let metrics = file?.header.metrics, let meanSteps = metrics["cv_steps"], let foldRows = metrics["cv_train_rows"] {
            // A cross-validated trial: its folds' mean rounds or epochs, scaled from a fold's training rows.
            steps = max(1, Int(meanSteps.rounded()))
            trainRows = max(1, Int(foldRows.rounded()))
        } else if let file, let rounds = (file.header.settings["rounds"] ?? file.header.settings["epochs"]).flatMap(Int.init) {
            steps = rounds
        }
        let allRows = data.train.count + data.validation.count
        let planned = RefitPlan.parameters(
            family: family, params: params, steps: steps, trainRows: trainRows, validationRows: max(0, allRows - trainRows))
        let result = try RefitPlan.run(family: family, params: planned, steps: nil, data: data, treeThreads: 2)
        return (result, planned)
    }
}
