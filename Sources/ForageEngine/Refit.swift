import ForageCore
import ForageExecutor
import ForageML
import ForageStore
import Foundation

/// Why a refit could not run.
public struct RefitError: Error, CustomStringConvertible, Equatable {
    public var description: String
}

/// The refit step of a model search: the best completed trial (or the one asked for) is retrained on training +
/// validation rows and saved as the experiment's refit entry (`RefitRecord`), which `promote` then takes.
public enum Refit {
    /// Refits `trial` (default: the best completed trial) of experiment `name` and records the entry. `data`, when
    /// given, is the dataset the search already loaded (it is not read again).
    public static func run(
        spec: ExperimentSpec, name: String, trial number: Int? = nil, store: any ExperimentReader, data: PreparedData? = nil
    ) async throws
        -> RefitRecord
    {
        let experiment = try await store.requireExperiment(name)
        let trial: TrialRecord
        if let number {
            guard let found = try await store.trial(experiment, number: number) else {
                throw RefitError(description: "experiment '\(name)' has no trial \(number)")
            }
            trial = found
        } else {
            guard let best = try await store.best(experiment) else {
                throw RefitError(description: "experiment '\(name)' has no completed trial to refit")
            }
            trial = best
        }
        guard trial.state == .completed else {
            throw RefitError(description: "trial \(trial.number) of '\(name)' is \(trial.state.rawValue); only a completed trial can be refitted")
        }
        let modelPath = try store.layout.modelFile(experiment: name, number: trial.number)?.path
        let (result, planned) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(
                    with: Result {
                        try ModelRefitter.refit(spec: spec, params: trial.params, lastStep: trial.lastStep, trialModel: modelPath, data: data)
                    })
            }
        }
        let record = RefitRecord(
            trial: trial.number, params: planned.values.mapValues(\.description), metrics: result.metrics,
            trainRows: Int(result.metrics["refit_train_rows"] ?? 0), fitSeconds: result.fitSeconds)
        try store.layout.writeRefit(record, model: try result.model.encoded(), experiment: name)
        return record
    }
}

extension Refit {
    /// The refit's estimated wall seconds, from the best trial's: scaled by the larger training set, with a margin
    /// (× 1.2 + 0.25 s; `margin: false` leaves it out). `run` keeps this much of `budget.time` back for the refit,
    /// and skips the refit when even the estimate without the margin would end after the budget.
    /// A cross-validated trial (`folds`) trained `folds` models on (k − 1)/k of the rows each, so the refit is
    /// estimated as one fold's time scaled by k/(k − 1).
    public static func estimatedSeconds(
        bestTrialSeconds: Double, trainRows: Int, validationRows: Int, folds: Int? = nil, margin: Bool = true
    ) -> Double {
        var seconds = bestTrialSeconds
        var scale = Double(trainRows + validationRows) / Double(max(trainRows, 1))
        if let folds, folds >= 2 {
            seconds /= Double(folds)
            scale = Double(folds) / Double(folds - 1)
        }
        return margin ? seconds * scale * 1.2 + 0.25 : seconds * scale
    }
}
