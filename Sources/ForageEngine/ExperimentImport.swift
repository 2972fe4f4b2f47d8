import ForageCore
import ForageStore
import Foundation

/// Creates a Forage experiment from trials another tool ran (`forage import optuna`), through the store protocol,
/// so that `forage resume` continues it (the sampler learns from the imported trials) or it serves as a warm start.
public enum ExperimentImport {
    /// Records `trials` (numbers from 0, as the other tool numbered them) in a new experiment made from `spec`, and
    /// leaves it `interrupted` for `resume`. Returns the number of trials recorded.
    @discardableResult
    public static func record(
        _ trials: [ImportedTrial], spec: ExperimentSpec, specPath: String?, data: DataInfo?, store: any ExperimentStore, source: String
    ) async throws -> Int {
        try SearchEngine.validate(spec, options: RunOptions())
        let (_, lease) = try await store.createExperiment(spec, specPath: specPath, data: data, owner: OwnerIdentity())
        let dataVersion = data == nil ? nil : 1
        for (index, trial) in trials.sorted(by: { $0.number < $1.number }).enumerated() {
            store.startTrial(
                lease,
                TrialStart(
                    number: index, draw: index, params: trial.params, attempt: 1, worker: "import", dataVersion: dataVersion,
                    startedAt: trial.startedAt ?? Date()))
            for point in trial.curve {
                store.submitReport(lease, trial: index, step: point.step, values: [spec.objective.metric: point.value])
            }
            try await store.finishTrial(
                lease,
                TrialFinish(
                    number: index, attempt: 1, state: trial.state, value: trial.value, metrics: trial.metrics,
                    reason: trial.state == .failed ? (trial.requeued ? .interrupted : .error) : nil,
                    message: trial.state == .failed ? "imported from \(source) (\(trial.requeued ? "left unfinished" : "failed") there)" : nil,
                    requeued: trial.requeued, lastStep: trial.curve.last?.step, finishedAt: trial.finishedAt ?? Date()))
        }
        let finished = trials.filter { !$0.requeued }.count
        try await store.close(
            lease, state: .interrupted,
            message: "imported \(trials.count) trials from \(source); `forage resume \(spec.name) --trials N` continues it (N is the total, now \(finished) done)")
        return trials.count
    }
}
