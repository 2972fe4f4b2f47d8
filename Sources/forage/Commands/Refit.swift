import ArgumentParser
import ForageCore
import ForageEngine
import ForageSpec
import ForageStore
import Foundation

extension Forage {
    /// `forage refit NAME [--trial N]`: retrain a trial's configuration on training + validation rows.
    struct RefitCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refit",
            abstract: "Retrain the best (or a given) trial's configuration on training + validation rows; promote then takes it.")

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(help: "The trial to refit (default: the best completed trial).")
        var trial: Int?

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = try await storeOptions.open(.write)
                let record = try await store.experiments.requireExperiment(name)
                let base = record.specPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
                    ?? FileManager.default.currentDirectoryPath
                let spec = try SpecLoader.parse(record.spec, file: record.specPath ?? name, baseDirectory: base)
                guard case .model = spec.trial.kind else {
                    throw ValidationError("experiment '\(name)' does not run `model:` trials; only built-in models can be refitted")
                }
                let entry = try await Refit.run(spec: spec, name: record.name, trial: trial, store: store.experiments)
                print(Self.summary(entry))
            }
        }

        /// One line: `refit trial 7 on 1437 rows in 0.41 s: test_accuracy 0.9806`.
        static func summary(_ record: RefitRecord) -> String {
            let metrics = record.metrics.filter { $0.key.hasPrefix("test_") && $0.key != "test_loss" }.sorted { $0.key < $1.key }
                .map { "\($0.key) \(String(format: "%.4f", $0.value))" }
            let tail = metrics.isEmpty ? " (no test rows: data.test is 0)" : ": " + metrics.joined(separator: ", ")
            return "refit trial \(record.trial) on \(record.trainRows) rows in \(String(format: "%.2f", record.fitSeconds)) s\(tail)"
        }
    }
}
