import ArgumentParser
import ForageBackends
import ForageCore
import ForageEngine
import ForageExecutor
import ForageSpec
import ForageStore
import Foundation

/// The CLI's side of searches on a shared store (`run --shared`, `resume` of a shared experiment, `worker --store`):
/// the spec as the store recorded it, the process's part in the search with Ctrl-C / SIGTERM handling, and the
/// closing summary.
enum SharedSearch {
    /// The store's shared side, or an error naming what would work instead.
    static func shared(_ store: OpenStore, _ what: String) throws -> any SharedTrialStore {
        guard let shared = store.experiments as? any SharedTrialStore else {
            throw CLIError(
                "\(what) needs a PostgreSQL store (--store postgres://USER@HOST:PORT/DB); with a folder store, use `forage run … --listen` and `forage worker --coordinator`")
        }
        return shared
    }

    /// The experiment's spec as recorded, with relative paths resolved under `directory` (default: the folder of
    /// the spec file it was created from), and its executor.
    static func prepare(_ record: ExperimentRecord, directory: String?) throws -> (ExperimentSpec, any TrialExecutor) {
        let base = directory.map { URL(fileURLWithPath: $0).standardized.path }
            ?? record.specPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
            ?? FileManager.default.currentDirectoryPath
        var spec = try SpecLoader.parse(record.spec, file: record.specPath ?? record.name, baseDirectory: base)
        spec.name = record.name
        spec.searcher.seed = record.seed
        spec.budget.trials = record.budgetTrials
        if case .external = spec.trial.kind {
            throw CLIError("experiment '\(record.name)' is external: its trials run through `forage ask` and `forage tell`, not on store workers")
        }
        let (executor, _) = try TrialSetup.make(for: spec)
        return (spec, executor)
    }

    /// Takes part in the search until the experiment is over (or SIGINT/SIGTERM stops this process's part).
    static func participate(
        store: any SharedTrialStore, record: ExperimentRecord, spec: ExperimentSpec, executor: any TrialExecutor, slots: Int, name: String,
        options: SharedRunOptions
    ) async throws -> SharedParticipant.Summary {
        let participant = try SharedParticipant(
            store: store, spec: spec, experiment: record, executor: executor, slots: slots, claim: ClaimIdentity(worker: name), options: options)
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { participant.stop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        return try await participant.run()
    }

    /// The closing line of a shared run, as `forage run` prints it; returns the experiment's state, and throws the
    /// exit code a failed or unfinished experiment gives.
    @discardableResult
    static func finish(store: any SharedTrialStore, name: String, started: Date) async throws -> String {
        let record = try await store.requireExperiment(name)
        let counts = try await store.counts(experiment: record.id)
        let state = try await store.queueState(experiment: record.id).state
        var line = "\(state): \(counts.finished)/\(record.budgetTrials) trials"
        if counts.failed > 0 { line += ", \(counts.failed) failed" }
        if let best = try await store.leaderboard(record, top: 1).first, let value = best.value {
            line += ", best \(Format.number(value)) (trial \(best.number))"
        }
        line += String(format: ", %.1f s", Date().timeIntervalSince(started))
        print(line)
        if let message = record.message { printNote(message) }
        if state == ExperimentState.failed.rawValue { throw ExitCode.failure }
        if state == ExperimentState.running.rawValue {
            printNote("this process stopped; the search goes on with the store's other workers (any of them takes over driving it)")
            throw ExitCode(130)
        }
        return state
    }
}
