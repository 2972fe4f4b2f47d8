import ForageCore
import ForageEngine
import ForageStore
import Foundation

/// The pipeline's refit step: the best trial's configuration fitted again on training + validation rows (the
/// experiment's refit entry, as `forage refit` writes it), which is then the candidate the pipeline measures and
/// promotes (`promote` takes a trial's refit entry when it has one). On by default for model trials (`refit:` in
/// the spec); an entry already made for the same trial (a resumed pipeline, or `forage refit` by hand) is used as
/// it is, so the model measured is always the one promoted.
enum PipelineRefit {
    enum Outcome: Equatable {
        /// The spec turns refit off and the trial has no refit entry: the trial's own model is the candidate.
        case off
        /// The candidate is the refit entry's model, trained on `trainRows` rows; `reused` when it was made earlier.
        case refitted(trial: Int, trainRows: Int, modelFile: URL, reused: Bool)

        var json: String {
            switch self {
            case .off: return #"{"status":"off"}"#
            case .refitted(let trial, let rows, let file, let reused):
                return #"{"status":"refitted","trial":\#(trial),"train_rows":\#(rows),"model_file":\#(JSONText.quoted(file.path)),"reused":\#(reused)}"#
            }
        }

        /// The model file the pipeline measures and promotes, when it is not the trial's own.
        var modelFile: URL? {
            if case .refitted(_, _, let file, _) = self { return file }
            return nil
        }
    }

    /// Refits `trial` of `experiment` unless its refit entry exists already or the spec turns refit off.
    static func run(spec: ExperimentSpec, experiment: String, trial: Int, store: any ExperimentReader) async throws -> Outcome {
        let layout = store.layout
        let file = try layout.refitDirectory(experiment: experiment).appendingPathComponent(StoreLayout.modelFileName)
        if let entry = try layout.refit(experiment: experiment), entry.trial == trial {
            return .refitted(trial: trial, trainRows: entry.trainRows, modelFile: file, reused: true)
        }
        guard spec.refitsAtEnd else { return .off }
        let entry = try await Refit.run(spec: spec, name: experiment, trial: trial, store: store)
        return .refitted(trial: trial, trainRows: entry.trainRows, modelFile: file, reused: false)
    }
}
