import ArgumentParser
import ForageExecutor
import ForageML
import ForageRegistry
import ForageServer
import ForageStore
import Foundation

extension Forage {
    /// `forage predict MODEL_FILE --input X.csv`: batch predictions offline.
    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict with a saved model: a model file, EXPERIMENT/TRIAL, or a registered NAME, NAME@ALIAS, NAME:VERSION.")

        @Argument(help: "A model file (model.forage), EXPERIMENT/TRIAL (e.g. iris-auto/12), or NAME, NAME@ALIAS, NAME:VERSION from the registry.")
        var model: String

        @Option(help: "CSV with a header row holding the model's feature columns (a target column is ignored).")
        var input: String

        @Option(help: "Write predictions to this CSV (default: stdout).")
        var output: String?

        @Flag(help: "Add class probabilities.")
        var proba = false

        @Flag(help: "Score the predictions against the input's target column (a test file kept apart, e.g. with data.test: 0): print the metrics as JSON on stdout instead of the predictions (which --output still writes).")
        var score = false

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let loaded = try await loadModel()
                let predictions = try loaded.predict(csvAt: input)
                if let note = Self.unseenNote(predictions.unseenCategories) { printNote(note) }
                if score {
                    let metrics = try loaded.score(csvAt: input, predictions: predictions)
                    if let output {
                        try writePredictionsCSV(predictions, to: output, includeProbabilities: proba)
                        printNote("wrote \(predictions.count) predictions to \(output)")
                    }
                    let data = try JSONSerialization.data(withJSONObject: metrics, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else if let output {
                    try writePredictionsCSV(predictions, to: output, includeProbabilities: proba)
                    printNote("wrote \(predictions.count) predictions to \(output)")
                } else {
                    print(PredictionsCSV.render(predictions, includeProbabilities: proba), terminator: "")
                }
            }
        }

        /// A note on categories training never saw (they are predicted as if missing), naming the first few.
        static func unseenNote(_ unseen: [UnseenCategory]) -> String? {
            guard !unseen.isEmpty else { return nil }
            let named = unseen.prefix(3).map { "row \($0.row), column '\($0.column)': '\($0.value)'" }.joined(separator: "; ")
            let more = unseen.count > 3 ? "; …" : ""
            let count = unseen.count == 1 ? "1 categorical value was" : "\(unseen.count) categorical values were"
            return "note: \(count) never seen in training and predicted as if missing (\(named)\(more))"
        }

        /// A file, a trial's model, or a registry version (loaded the way `serve` loads it: verified by its hash).
        private func loadModel() async throws -> Model {
            if FileManager.default.fileExists(atPath: model) { return try Model(contentsOf: model) }
            if model.contains("/") {
                let parts = model.split(separator: "/")
                guard parts.count == 2, let number = Int(parts[1]) else { throw CLIError("\(model): no such model file") }
                return try await loadTrialModel(experiment: String(parts[0]), number: number)
            }
            guard let reference = ModelReference(parsing: model) else { throw CLIError("\(model): no such model file or registered model") }
            let registry = (try await storeOptions.open(.read)).registry
            return try await ModelLoader(registry: registry).load(reference).model
        }

        /// `NAME/N`: trial N of experiment NAME, from its folder here, or from the store when the store keeps trial
        /// files (PostgreSQL) and the trial ran on another machine.
        private func loadTrialModel(experiment name: String, number: Int) async throws -> Model {
            let store = try await storeOptions.open(.read)
            let file = try store.layout.trialDirectory(experiment: name, number: number).appendingPathComponent(StoreLayout.modelFileName)
            if FileManager.default.fileExists(atPath: file.path) { return try Model(contentsOf: file.path) }
            if let kept = store.experiments as? any TrialFileStore {
                let experiment = try await store.experiments.requireExperiment(name)
                let files = try await kept.trialFiles(experiment: experiment.id, trial: number)
                if let primary = files.first(where: { $0.name == StoreLayout.modelFileName }) {
                    let source = "\(name) trial \(number) (\(StoreLayout.modelFileName) kept in \(store.experiments.location))"
                    return try Model(file: ModelFile.decode(primary.contents, path: source), source: source)
                }
            }
            throw CLIError("trial \(number) of '\(name)' has no model file (\(file.path)); only completed model trials save one")
        }
    }
}
