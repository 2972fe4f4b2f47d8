import ArgumentParser
import ForageCore
import ForageStore
import Foundation

extension Forage {
    /// `forage enqueue NAME --params '{…}'`: queue exact parameters to run before any sampled trial.
    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue exact parameters for an experiment: they run before any sampled trial, once each.",
            discussion: """
                Each --params is checked against the experiment's search space (unknown names and values outside \
                the space are refused). A running experiment picks them up within seconds; an interrupted one at \
                `forage resume NAME`; a finished one with the next `forage resume NAME --trials N`.
                """)

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(name: .customLong("params"), help: "The parameters as a JSON object, e.g. '{\"lr\": 0.01, \"hidden\": 64}' (repeatable).")
        var params: [String] = []

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if params.isEmpty { throw ValidationError("nothing to enqueue: give --params '{\"NAME\": VALUE, …}' (repeatable)") }
            for text in params { _ = try Self.parse(text) }
        }

        /// A `--params` JSON object as parameter values (numbers, strings, booleans).
        static func parse(_ text: String) throws -> ParameterSet {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), object is [String: Any] else {
                throw ValidationError("--params must be a JSON object such as '{\"lr\": 0.01, \"hidden\": 64}'; got \(text.prefix(80))")
            }
            do {
                return try JSONDecoder().decode(ParameterSet.self, from: Data(text.utf8))
            } catch {
                throw ValidationError("--params: every value must be a number, a string or true/false; got \(text.prefix(80))")
            }
        }

        func run() async throws {
            let given = try params.map(Self.parse)
            try await reportingErrors {
                let store = (try await storeOptions.open(.write)).experiments
                let spec = try await ExternalSpec.load(name, store: store)
                let record = try await store.requireExperiment(name)
                let exact = try given.enumerated().map { index, values in
                    do {
                        return try spec.searchSpace.exactParameters(values)
                    } catch {
                        let which = given.count > 1 ? "--params #\(index + 1)" : "--params"
                        throw CLIError("\(which) does not fit the search space of '\(name)': \(error)")
                    }
                }
                let queued = try await store.enqueue(record, exact)
                for entry in queued {
                    print("enqueued #\(entry.id) for \(name): " + entry.params.map { "\($0.key)=\($0.value.description)" }.joined(separator: " "))
                }
                let done = try await store.counts(experiment: record.id).finished
                let pending = try await store.pendingEnqueued(record).count
                switch record.state {
                case .running:
                    printNote("\(pending) queued; the run in progress starts them next (a stopped run: at `forage resume \(name)`)")
                case .finished, .failed:
                    printNote("\(pending) queued; they run first with `forage resume \(name) --trials \(done + pending)` (the budget is the total)")
                case .interrupted:
                    printNote("\(pending) queued; they run first at `forage resume \(name)`")
                }
            }
        }
    }
}
