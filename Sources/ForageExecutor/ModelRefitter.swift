import ForageCore
import ForageML
import Foundation

/// Retrains a finished model trial's configuration on training + validation rows (`RefitPlan`), reading the data
/// as the spec names it. The rounds a gbdt trial kept (the epochs an MLP ran, the last one maybe in part, when
/// `budget.time` cut it) come from its model file when it has one.
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
        if let trialModel, let file = try? ModelFile.read(from: trialModel), let rounds = (file.header.settings["rounds"] ?? file.header.settings["epochs"]).flatMap(Int.init) {
            steps = rounds
        }
        let planned = RefitPlan.parameters(
            family: family, params: params, steps: steps, trainRows: data.train.count, validationRows: data.validation.count)
        let result = try RefitPlan.run(family: family, params: params, steps: steps, data: data, treeThreads: 2)
        return (result, planned)
    }
}
