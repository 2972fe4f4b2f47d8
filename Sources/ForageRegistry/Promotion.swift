import ForageCore
import ForageStore
import Foundation

/// What to promote: a trial of an experiment (default: its best completed trial) into model `model`.
public struct PromotionRequest: Sendable, Equatable {
    public var experiment: String
    public var trial: Int?
    public var model: String
    public var alias: String?
    /// Refuse unless the candidate beats the alias's current version on the objective measured on the test split.
    public var ifBetter: Bool

    public init(experiment: String, trial: Int? = nil, model: String, alias: String? = nil, ifBetter: Bool = false) {
        self.experiment = experiment
        self.trial = trial
        self.model = model
        self.alias = alias
        self.ifBetter = ifBetter
    }
}

/// The comparison `--if-better` made.
public struct PromotionComparison: Sendable, Equatable {
    public var metric: String
    public var candidate: Double
    public var current: Double
    public var currentVersion: Int

    public init(metric: String, candidate: Double, current: Double, currentVersion: Int) {
        self.metric = metric
        self.candidate = candidate
        self.current = current
        self.currentVersion = currentVersion
    }
}

/// What a promotion did.
public struct PromotionOutcome: Sendable, Equatable {
    public var version: ModelVersion
    public var move: AliasMove?
    public var comparison: PromotionComparison?
    /// Why this trial was taken when none was named and the experiment ranks by Pareto front.
    public var choice: String? = nil

    /// One line for people: `promoted iris-auto trial 7 as iris:3 (@prod: 2 → 3; test_accuracy 0.97 vs 0.95)`.
    public var summary: String {
        let line = "promoted \(version.lineage.experiment ?? "?") trial \(version.lineage.trial.map(String.init) ?? "?") as \(version.model):\(version.version)"
        var notes: [String] = []
        if let choice { notes.append(choice) }
        if let move { notes.append("@\(move.alias): \(move.oldVersion.map(String.init) ?? "none") → \(move.newVersion)") }
        if let comparison {
            notes.append("\(comparison.metric) \(comparison.candidate) vs \(comparison.current) of version \(comparison.currentVersion)")
        }
        return notes.isEmpty ? line : line + " (" + notes.joined(separator: "; ") + ")"
    }
}

/// Promotion: copies a completed trial's model file into the registry as the next version, with its lineage, and
/// moves the alias; with `ifBetter`, only when the candidate beats the alias's version on the test split.
public enum Promoter {
    @discardableResult
    public static func promote(
        _ request: PromotionRequest, store: any ExperimentReader, registry: any ModelRegistry
    ) async throws -> PromotionOutcome {
        guard ModelName.isValid(request.model) else { throw RegistryError.invalidName(request.model) }
        if let alias = request.alias, !ModelName.isValid(alias) { throw RegistryError.invalidName(alias) }
        let experiment = try await store.requireExperiment(request.experiment)
        var trial: TrialRecord
        if let number = request.trial {
            guard let found = try await store.trial(experiment, number: number) else {
                throw RegistryError.noModelFile(experiment: experiment.name, trial: number, reason: "the experiment has no such trial")
            }
            trial = found
        } else {
            guard let best = try await store.best(experiment) else { throw RegistryError.noCompletedTrial(experiment: experiment.name) }
            trial = best
        }
        var choice: String?
        if request.trial == nil, experiment.goals.isMultiObjective {
            choice = "chosen from the Pareto front: the best \(experiment.objective.metric) of its trials; name another with --trial N"
        }
        guard trial.state == .completed else {
            let why = trial.reason.map { " (\($0.rawValue))" } ?? ""
            throw RegistryError.noModelFile(
                experiment: experiment.name, trial: trial.number, reason: "it is \(trial.state.rawValue)\(why); only completed trials have a model")
        }
        guard trial.isFeasible else {
            throw RegistryError.noModelFile(
                experiment: experiment.name, trial: trial.number,
                reason: "it is infeasible: it breaks the experiment's constraints (\(experiment.goals.constraints.map(\.description).joined(separator: ", "))); only feasible trials are promoted")
        }
        var folder = try store.layout.trialDirectory(experiment: experiment.name, number: trial.number)
        // The trial's refit entry (retrained on training + validation rows), when there is one, is the model taken;
        // its test metrics replace the trial's in the lineage, which says so (`refit_train_rows`, the reason).
        var refitNote = ""
        if let refit = try? store.layout.refit(experiment: experiment.name), refit.trial == trial.number {
            folder = try store.layout.refitDirectory(experiment: experiment.name)
            trial.metrics = trial.metrics.filter { !$0.key.hasPrefix("test_") }.merging(refit.metrics) { $1 }
            refitNote = " (refit on training + validation rows)"
        }
        var collected = try ModelArtifactCollector.collect(in: folder)
        // On a store that keeps trial files (PostgreSQL), a trial run on another machine is promoted from the store.
        if collected == nil, refitNote.isEmpty, let kept = store as? any TrialFileStore {
            collected = ModelArtifactCollector.collect(files: try await kept.trialFiles(experiment: experiment.id, trial: trial.number))
        }
        guard let collected else {
            throw RegistryError.noModelFile(
                experiment: experiment.name, trial: trial.number,
                reason: "no model file in \(folder.path) (function trials save none; a command trial must write model.forage, or another model* file or a model/ folder, into FORAGE_TRIAL_DIR)")
        }
        let comparison = request.ifBetter ? try await compare(trial, experiment: experiment, request: request, registry: registry) : nil
        var reason = "promote \(experiment.name) trial \(trial.number)\(refitNote)"
        if let comparison { reason += "; \(comparison.metric) \(comparison.candidate) vs \(comparison.current)" }
        let lineage = Lineage(
            experiment: experiment.name, trial: trial.number, params: trial.params, metrics: trial.metrics,
            objectiveMetric: experiment.objective.metric, direction: experiment.objective.direction,
            specSHA256: experiment.specSHA256, dataSHA256: dataSHA256(of: trial, in: experiment))
        var registration = Registration(
            model: request.model, blob: collected.files[0].contents, lineage: lineage, alias: request.alias, reason: reason)
        registration.files = collected.files
        registration.flavor = collected.flavor
        let version = try await registry.register(registration)
        var move: AliasMove?
        if let alias = request.alias { move = try await registry.history(of: request.model).last { $0.alias == alias } }
        var outcome = PromotionOutcome(version: version, move: move, comparison: comparison)
        outcome.choice = choice
        return outcome
    }

    /// The SHA-256 of the data version the trial trained on (the experiment's current data for trials from
    /// before data versions were recorded).
    static func dataSHA256(of trial: TrialRecord, in experiment: ExperimentRecord) -> String? {
        if let version = trial.dataVersion, version >= 1, version <= experiment.dataVersions.count {
            return experiment.dataVersions[version - 1].sha256
        }
        return experiment.data?.sha256
    }

    /// Compares the candidate with the version the alias holds (or the latest version without an alias) on the
    /// test-split objective; nil when there is nothing to compare with; throws `notBetter` when it is not better.
    static func compare(
        _ trial: TrialRecord, experiment: ExperimentRecord, request: PromotionRequest, registry: any ModelRegistry
    ) async throws(RegistryError) -> PromotionComparison? {
        let reference = ModelReference(model: request.model, selector: request.alias.map { .alias($0) } ?? .latest)
        let current: ModelVersion
        do {
            current = try await registry.resolve(reference)
        } catch {
            switch error {
            case .noModel, .noAlias, .noVersion: return nil
            default: throw error
            }
        }
        let metric = Lineage.testMetric(for: experiment.objective.metric)
        guard let candidate = trial.metrics[metric] else {
            throw .cannotCompare(metric: metric, reason: "trial \(trial.number) has no \(metric) (known: \(trial.metrics.keys.sorted().joined(separator: ", ")))")
        }
        guard let held = current.lineage.metrics[metric] else {
            throw .cannotCompare(metric: metric, reason: "\(current.model):\(current.version) has no \(metric) in its lineage")
        }
        let direction = experiment.objective.direction
        // Better by more than rounding noise: two evaluations of the same model can differ in the last bits.
        let margin = 1e-9 * max(abs(candidate), abs(held), 1e-12)
        let better = direction.isBetter(candidate, than: direction == .maximize ? held + margin : held - margin)
        guard better else {
            throw .notBetter(
                model: request.model, alias: request.alias ?? "latest", metric: metric, candidate: candidate, current: held,
                currentVersion: current.version, direction: direction.rawValue)
        }
        return PromotionComparison(metric: metric, candidate: candidate, current: held, currentVersion: current.version)
    }
}
