import ForageCore
import ForageExecutor
import ForageStore
import Foundation

/// One `forage ask` or `forage tell` on an external experiment (`trial: {external: true}`): takes the experiment
/// over without interrupting the trials earlier asks handed out, runs `body` on an engine that holds them as
/// leases, and releases the experiment.
public enum ExternalSession {
    /// Seconds a call waits for another `ask`/`tell` on the same experiment to finish before it gives up.
    public static let ownerWait: Double = 20

    public static func run<T: Sendable>(
        spec: ExperimentSpec, store: any ExperimentStore, _ body: @Sendable (SearchEngine) async throws -> T
    ) async throws -> T {
        guard case .external = spec.trial.kind else {
            throw EngineError.configuration(
                "experiment '\(spec.name)' is not external: Forage runs its trials (`forage run`/`forage resume`); ask/tell needs `trial: {external: true}`")
        }
        guard let external = store as? any ExternalTrialStore else {
            throw EngineError.configuration("the store at \(store.location) does not support ask/tell (external trials); use a SQLite or PostgreSQL store")
        }
        let deadline = Date().addingTimeInterval(ownerWait)
        var acquired: (ExperimentRecord, OwnerLease, [ExternalTrial])?
        while acquired == nil {
            do {
                acquired = try await external.acquireExternal(spec.name, owner: OwnerIdentity(), leaseTimeout: spec.trial.leaseTimeout)
            } catch StoreError.owned where Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        guard let (record, lease, running) = acquired else { throw EngineError.configuration("could not take over '\(spec.name)'") }
        var options = RunOptions(trials: record.budgetTrials, parallel: 0)
        options.remote = RemoteOptions(leaseTimeout: spec.trial.leaseTimeout)
        let engine = try await SearchEngine(
            spec: spec, experiment: record, store: store, executor: ExternalTrialExecutor(), lease: lease, options: options)
        await engine.adopt(running)
        do {
            let result = try await body(engine)
            try await engine.closeExternal()
            return result
        } catch {
            try? await engine.closeExternal()
            throw error
        }
    }
}
