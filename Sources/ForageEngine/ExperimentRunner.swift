import ForageCore
import ForageSearch
import ForageExecutor
import ForageStore
import Foundation

/// Creates or takes over an experiment in the store and hands back the engine that will run it.
public enum ExperimentRunner {
    /// Creates a new experiment from `spec` (refusing a name that exists) and prepares its engine. Everything that
    /// can refuse the run (the sampler, the scheduler, the slots) is checked first, so a refused start leaves nothing
    /// behind in the store.
    public static func start(
        spec: ExperimentSpec, specPath: String?, data: DataInfo?, store: any ExperimentStore, executor: any TrialExecutor,
        options: RunOptions
    ) async throws -> SearchEngine {
        var spec = spec
        if let trials = options.trials { spec.budget.trials = trials }
        if let parallel = options.parallel { spec.budget.parallel = parallel }
        try SearchEngine.validate(spec, options: options)
        // A warm start that cannot load refuses the run before the experiment exists.
        var warm: WarmStart?
        if let source = spec.warmStart { warm = try await WarmStartLoader.load(source, for: spec, from: options.warmStartStore ?? store) }
        let (record, lease) = try await store.createExperiment(spec, specPath: specPath, data: data, owner: OwnerIdentity())
        return try await SearchEngine(
            spec: spec, experiment: record, store: store, executor: executor, lease: lease, options: options, warmStart: warm)
    }

    /// Takes over an interrupted experiment: its running trials become failed (`interrupted`) and re-queued. With
    /// `force`, an experiment whose owner still lives is taken too, and that owner is fenced out.
    ///
    /// `data` is the dataset as it reads now. When it differs from the version the experiment recorded, the resume is
    /// refused (new trials would train on other data than the lineage says), unless `allowDataChange`: then the new
    /// version is recorded beside the earlier ones and the new trials record it.
    public static func resume(
        spec: ExperimentSpec, store: any ExperimentStore, executor: any TrialExecutor, options: RunOptions, force: Bool = false,
        data: DataInfo? = nil, allowDataChange: Bool = false
    ) async throws -> SearchEngine {
        try SearchEngine.validate(spec, options: options)
        let recorded = try await store.requireExperiment(spec.name)
        let changed = data.map { $0.sha256 != recorded.data?.sha256 } ?? false
        if changed, !allowDataChange, let data {
            throw EngineError.dataChanged(experiment: spec.name, recorded: recorded.data, now: data)
        }
        var (record, lease) = try await store.acquire(spec.name, owner: OwnerIdentity(), force: force)
        if changed, let data { record = try await store.recordDataVersion(lease, data) }
        var options = options
        if options.trials == nil { options.trials = record.budgetTrials }
        return try await SearchEngine(spec: spec, experiment: record, store: store, executor: executor, lease: lease, options: options)
    }
}
