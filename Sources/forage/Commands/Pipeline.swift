import ArgumentParser
import ForageBackends
import ForageCore
import ForageEngine
import ForageML
import ForageRegistry
import ForageServer
import ForageSpec
import ForageStore
import Foundation

extension Forage {
    /// `forage pipeline SPEC`: a promotion gate for CI, in one command.
    struct Pipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run (or resume) a spec on its current data, compare the best model with the alias's holder on the same test split, promote it if better.",
            discussion: """
                The experiment is named after the spec and the data's hash (NAME-<first 8 hex digits of the data's SHA-256>), so \
                new data gets a new experiment and an interrupted pipeline resumes. The spec needs `promote: {model: M, alias: A}`. \
                With refit on (the default for model trials; `refit: false` turns it off) the best trial is refitted on training + \
                validation rows and that model is the candidate measured and promoted. \
                Both models are measured on the test split of the current data (each with its own preprocessing); the candidate is \
                promoted to A only when it is better on the objective. Exit status: 0 promoted, 3 kept (the champion is not \
                beaten), 1 on failure.
                """)

        @Argument(help: "The experiment spec (YAML or JSON) with a promote: {model, alias} block.")
        var spec: String

        @Option(help: "The experiment's name (default: the spec's name and the data's hash).")
        var name: String?

        @Option(help: "table or json (the verdict alone on stdout; run progress goes to stderr).")
        var format = "table"

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard ["table", "json"].contains(format) else { throw ValidationError("--format must be table or json") }
        }

        func run() async throws {
            let verdict = try await reportingErrors { try await gate() }
            print(format == "json" ? verdict.json : verdict.line)
            if verdict.decision == .kept { throw ExitCode(PipelineVerdict.keptExitCode) }
        }

        private func gate() async throws -> PipelineVerdict {
            var experiment = try SpecLoader.load(path: spec)
            guard let promote = experiment.promote, let alias = promote.alias else {
                throw CLIError("\(spec): forage pipeline needs a promote block with a model and an alias, e.g. promote: {model: digits, alias: production}")
            }
            let (executor, info, prepared) = try TrialSetup.makeWithData(for: experiment)
            guard let prepared, let info else {
                throw CLIError("\(spec): forage pipeline needs a built-in model trial (trial: {model: …}) with data, to evaluate on the test split")
            }
            experiment.name = name ?? "\(experiment.name)-\(prepared.sha256.prefix(8))"
            let quiet = format == "json"
            let say: (String) -> Void = quiet ? { printNote($0) } : { print($0) }
            let store = try await storeOptions.open(.create)
            var options = RunOptions(progress: quiet ? nil : ProgressPrinter.make())
            let engine: SearchEngine
            if try await store.experiments.experiment(named: experiment.name) != nil {
                say("resuming \(experiment.name)")
                options.trials = nil
                engine = try await ExperimentRunner.resume(spec: experiment, store: store.experiments, executor: executor, options: options, data: info)
            } else {
                try SearchEngine.validate(experiment, options: options)
                engine = try await ExperimentRunner.start(
                    spec: experiment, specPath: URL(fileURLWithPath: spec).standardized.path, data: info, store: store.experiments,
                    executor: executor, options: options)
            }
            try await RunSession.run(engine, store: store, name: experiment.name, say: say)

            let record = try await store.experiments.requireExperiment(experiment.name)
            guard let best = try await store.experiments.best(record) else { throw RegistryError.noCompletedTrial(experiment: record.name) }
            // The refit model (training + validation rows), when refit is on, is the one measured and promoted.
            let refit = try await PipelineRefit.run(spec: experiment, experiment: record.name, trial: best.number, store: store.experiments)
            if case .refitted(_, let rows, _, let reused) = refit, !reused {
                say("refit trial \(best.number) on \(rows) training + validation rows")
            }
            let candidateFile = try refit.modelFile
                ?? store.layout.trialDirectory(experiment: record.name, number: best.number).appendingPathComponent(StoreLayout.modelFileName)
            let candidate = try Model(contentsOf: candidateFile.path)
            let evaluation = try SameSplitEvaluation(data: prepared)
            let key = Self.splitMetric(record.objective.metric)
            let metric = "test_" + key
            func value(_ model: Model, _ name: String) throws -> Double {
                guard let value = try evaluation.metrics(of: model, name: name)[key] else {
                    throw CLIError("the objective \(record.objective.metric) has no test-split counterpart '\(key)' to compare on")
                }
                return value
            }
            let candidateValue = try value(candidate, "\(record.name) trial \(best.number)")
            var champion: (version: Int, value: Double)?
            let holder = ModelReference(model: promote.model, selector: .alias(alias))
            do {
                let version = try await store.registry.resolve(holder)
                let model = try await ModelLoader(registry: store.registry).load(version).model
                champion = (version.version, try value(model, "\(promote.model):\(version.version)"))
            } catch let error as RegistryError {
                switch error {
                case .noModel, .noAlias: champion = nil
                default: throw error
                }
            }
            let direction = record.objective.direction
            var verdict = PipelineVerdict(
                decision: .kept, experiment: record.name, dataPath: prepared.path, dataSHA256: prepared.sha256, model: promote.model,
                alias: alias, metric: metric, direction: direction, candidateTrial: best.number, candidateValue: candidateValue,
                championVersion: champion?.version, championValue: champion?.value, promotedVersion: nil, refit: refit,
                testRows: evaluation.rows.count)
            let margin = 1e-9 * max(abs(candidateValue), abs(champion?.value ?? 0), 1e-12)
            let better = champion.map { direction.isBetter(candidateValue, than: direction == .maximize ? $0.value + margin : $0.value - margin) } ?? true
            guard better else { return verdict }
            let outcome = try await Promoter.promote(
                PromotionRequest(experiment: record.name, trial: best.number, model: promote.model, alias: alias), store: store.experiments,
                registry: store.registry)
            verdict.decision = .promoted
            verdict.promotedVersion = outcome.version.version
            return verdict
        }

        /// The name of an objective's metric on a split without its prefix (`val_accuracy` → `accuracy`).
        static func splitMetric(_ metric: String) -> String {
            for prefix in ["val_", "test_"] where metric.hasPrefix(prefix) { return String(metric.dropFirst(prefix.count)) }
            return metric
        }
    }
}
