import ForageCore
import ForageExecutor
import ForageStore
import Foundation

/// Creates or takes over an experiment in the store and hands back the engine that will run it.
public enum ExperimentRunner {
    /// Creates a new experiment from `spec` (refusing a name that exists) and prepares its engine.
    public static func start(
        spec: ExperimentSpec, specPath: String?, data: DataInfo?, store: SQLiteExperimentStore, executor: any TrialExecutor,
        options: RunOptions
    ) throws -> SearchEngine {
        var spec = spec
        if let trials = options.trials { spec.budget.trials = trials }
        if let parallel = options.parallel { spec.budget.parallel = parallel }
        let owner = OwnerIdentity()
        let record = try store.createExperiment(spec, specPath: specPath, data: data, owner: owner)
        return try SearchEngine(spec: spec, experiment: record, store: store, executor: executor, owner: owner, options: options)
    }

    /// Takes over an interrupted experiment: its running trials become failed (`interrupted`) and re-queued.
    public static func resume(
        spec: ExperimentSpec, store: SQLiteExperimentStore, executor: any TrialExecutor, options: RunOptions
    ) throws -> SearchEngine {
        let owner = OwnerIdentity()
        let record = try store.acquire(spec.name, owner: owner)
        var options = options
        if options.trials == nil { options.trials = record.budgetTrials }
        return try SearchEngine(spec: spec, experiment: record, store: store, executor: executor, owner: owner, options: options)
    }
}
