import ArgumentParser
import ForageCore
import ForageML
import ForageServer
import ForageStore
import Foundation

extension Forage {
    /// `forage drift M@ALIAS --input live.csv`: the drift `serve` would report, computed offline.
    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare live rows (a CSV) with a registered model's training distribution: PSI per raw feature and of the predictions.")

        @Argument(help: "NAME, NAME@ALIAS or NAME:VERSION from the registry.")
        var reference: String

        @Option(help: "CSV with a header row holding the model's feature columns (a target column is ignored).")
        var input: String

        @Option(help: "How many of the file's last rows make the window (as serve's --drift-window).")
        var window = 10_000

        @Option(help: "The PSI past which a feature is flagged.")
        var threshold = 0.2

        @Option(help: "table or json.")
        var format = "table"

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard ["table", "json"].contains(format) else { throw ValidationError("--format must be table or json") }
            guard window > 0, threshold > 0 else { throw ValidationError("--window and --threshold must be positive") }
        }

        func run() async throws {
            try await reportingErrors {
                let registry = try await storeOptions.open(.read).registry
                let snapshot = try await ModelLoader(registry: registry).load(try modelReference(reference))
                let settings = DriftSettings(window: window, threshold: threshold)
                let report = try DriftReplay.report(
                    model: snapshot.model, csvAt: input, window: settings.window, threshold: settings.threshold, minimumRows: settings.minimumRows)
                if format == "json" {
                    print(report.json(context: #""model":\#(JSONText.quoted(snapshot.version.model)),"version":\#(snapshot.version.version)"#))
                } else {
                    print("\(snapshot.version.model):\(snapshot.version.version) against \(input)")
                    print(report.table())
                }
            }
        }
    }
}
