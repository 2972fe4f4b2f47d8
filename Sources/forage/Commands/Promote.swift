import ArgumentParser
import ForageRegistry
import ForageStore
import ForageBackends
import ForageStore
import Foundation

extension Forage {
    /// `forage promote NAME --model M`: a trial's model into the registry as the next version.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a trial's model (default: the best) into the registry as the next version of a model, with its lineage; move an alias to it.")

        @Argument(help: "The experiment's name.")
        var experiment: String

        @Option(parsing: .unconditional, help: "The trial to promote (default: the best completed trial).")
        var trial: Int?

        @Option(help: "The registered model's name.")
        var model: String

        @Option(help: "Move this alias (e.g. production, staging) to the new version.")
        var alias: String?

        @Flag(help: "Refuse unless the candidate beats the alias's current version on the objective measured on the test split.")
        var ifBetter = false

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let trial, trial < 0 { throw ValidationError("--trial must be a trial number (a non-negative integer), got \(trial)") }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try await storeOptions.open(.write)
                let request = PromotionRequest(experiment: experiment, trial: trial, model: model, alias: alias, ifBetter: ifBetter)
                print(try await Promoter.promote(request, store: store.experiments, registry: store.registry).summary)
            }
        }
    }
}

/// The spec's `promote:` block, run after a successful `run`/`resume`.
enum AutoPromotion {
    /// Promotes the best trial as the spec asks and prints the outcome; a candidate that is not better is a note,
    /// any other failure an error.
    static func run(_ spec: PromotionRequest, store: OpenStore) async throws {
        do {
            print(try await Promoter.promote(spec, store: store.experiments, registry: store.registry).summary)
        } catch let error as RegistryError {
            if case .notBetter = error {
                print(error.description)
                return
            }
            throw error
        }
    }
}
