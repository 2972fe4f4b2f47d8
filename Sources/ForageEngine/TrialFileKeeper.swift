import ForageCore
import ForageStore
import Foundation

/// Keeps a completed trial's model files in a store that holds trial files (`TrialFileStore`: the PostgreSQL store),
/// before its finish is recorded, so the trial can be promoted from any machine that reaches the store. A trial whose
/// files cannot be kept is recorded as failed, with the reason: a completed trial that no one could promote would be
/// reported as done without its model.
enum TrialFileKeeper {
    /// The outcome to record: `outcome` itself, or a failure when its model files could not be kept.
    static func keep(_ outcome: TrialOutcome, store: any ExperimentStore, experiment: ExperimentRecord, number: Int) async -> TrialOutcome {
        guard case .completed(let metrics) = outcome, let files = store as? any TrialFileStore else { return outcome }
        do {
            let folder = try store.layout.trialDirectory(experiment: experiment.name, number: number)
            // Function trials leave no folder: one stat, not a failed directory listing, per trial.
            guard FileManager.default.fileExists(atPath: folder.path) else { return outcome }
            let found = try ModelArtifactCollector.read(folder)
            guard !found.isEmpty else { return outcome }
            try await files.keepTrialFiles(experiment: experiment.id, trial: number, files: found)
            return outcome
        } catch {
            return .failed(reason: .error, message: "its model files could not be kept in the store: \(error)", metrics: metrics)
        }
    }
}
