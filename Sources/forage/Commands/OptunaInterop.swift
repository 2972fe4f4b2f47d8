import ArgumentParser
import ForageCore
import ForageEngine
import ForageBackends
import ForageSpec
import ForageStore
import Foundation

extension Forage {
    /// `forage export NAME --format optuna --output study.db`: the experiment as another tool's storage.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an experiment in another tool's format: --format optuna writes an Optuna storage (SQLite) for optuna.load_study.")

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(help: "The format: optuna.")
        var format: ExportFormat

        @Option(help: "The file to write (refused when it exists).")
        var output: String

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = try await storeOptions.open(.read)
                let record = try await store.experiments.requireExperiment(name)
                let spec = try await ExternalSpec.load(name, store: store.experiments)
                let count = try await OptunaFiles.export(record, space: spec.searchSpace, from: store.experiments, to: output)
                printNote(
                    "wrote \(count) trials of '\(name)' to \(output): optuna.load_study(study_name=\"\(name)\", storage=\"sqlite:///\(output)\")")
            }
        }
    }

    /// `forage import optuna sqlite:///x.db --study S --spec SPEC [--name N]`: a Forage experiment from an Optuna study.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Make a Forage experiment from another tool's study (optuna sqlite:///x.db --study S --spec SPEC), to resume or warm-start it.")

        @Argument(help: "The tool: optuna.")
        var tool: ExportFormat

        @Argument(help: "The storage URL, e.g. sqlite:///study.db.")
        var storage: String

        @Option(help: "The study's name in that storage.")
        var study: String

        @Option(help: "The spec saying what a trial runs; its search space must fit the study's distributions.")
        var spec: String

        @Option(help: "Name of the new experiment (default: the spec's name).")
        var name: String?

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let name, !ExperimentName.isValid(name) {
                throw ValidationError("--name '\(name.prefix(40))' is not a valid experiment name (\(ExperimentName.rule))")
            }
        }

        func run() async throws {
            try await reportingErrors {
                var experiment = try SpecLoader.load(path: spec)
                if let name { experiment.name = name }
                let (path, trials) = try OptunaFiles.read(url: storage, study: study, objective: experiment.objective, space: experiment.searchSpace)
                let (_, data) = try TrialSetup.make(for: experiment)
                let store = try await storeOptions.open(.create)
                let count = try await ExperimentImport.record(
                    trials, spec: experiment, specPath: URL(fileURLWithPath: spec).standardized.path, data: data, store: store.experiments,
                    source: "Optuna study '\(study)' in \(path)")
                print("imported \(count) trials of Optuna study '\(study)' as experiment '\(experiment.name)'; `forage resume \(experiment.name) --trials N` continues it")
            }
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case optuna
}
