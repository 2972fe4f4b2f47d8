import ForageCore
import ForageStore
import Foundation

extension ExperimentRunner {
    /// Creates an experiment that store workers work on (`forage run --shared`): checked like any run (a shared
    /// run may have no local slots), created, and marked shared with the claim lease its workers use.
    public static func startShared(
        spec: ExperimentSpec, specPath: String?, data: DataInfo?, store: any SharedTrialStore, options: SharedRunOptions
    ) async throws -> ExperimentRecord {
        var checks = RunOptions(parallel: spec.budget.parallel)
        checks.remote = RemoteOptions(leaseTimeout: options.leaseSeconds)
        try SearchEngine.validate(spec, options: checks)
        let (_, lease) = try await store.createExperiment(spec, specPath: specPath, data: data, owner: OwnerIdentity())
        try await store.markShared(lease, leaseSeconds: options.leaseSeconds)
        return try await store.requireExperiment(spec.name)
    }
}
