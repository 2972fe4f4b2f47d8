import ArgumentParser
import ForageCore
import ForageEngine
import ForageSpec
import ForageStore
import Foundation

extension Forage {
    /// `forage ask NAME`: start a trial of an external experiment and print its number and parameters.
    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a trial of an external experiment (trial: {external: true}) and print its number and parameters.",
            discussion: "Exits with status 3 when the budget is spent or taken by running trials.")

        /// The exit status when no trial can start.
        static let overStatus: Int32 = 3

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(help: "Output format: text or json.")
        var format: AskFormat = .text

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let answer = try await reportingErrors {
                let store = try await storeOptions.open(.write)
                let spec = try await ExternalSpec.load(name, store: store.experiments)
                return try await ExternalSession.run(spec: spec, store: store.experiments) { engine in try await engine.ask() }
            }
            switch answer {
            case .over(let why):
                printError("no trial to hand out: \(why)")
                throw ExitCode(Self.overStatus)
            case .trial(let number, let attempt, let params, let leaseTimeout):
                switch format {
                case .json:
                    print(
                        "{\"experiment\": \(JSONText.quoted(name)), \"trial\": \(number), \"attempt\": \(attempt), \"params\": \(params.jsonString), "
                            + "\"lease_s\": \(Format.number(leaseTimeout))}")
                case .text:
                    print("trial \(number): " + params.map { "\($0.key)=\($0.value.description)" }.joined(separator: " "))
                }
            }
        }
    }

    /// `forage tell NAME TRIAL`: record an external trial's report or result.
    struct Tell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a report (--step K: answers continue or stop) or the result of an external experiment's trial.")

        @Argument(help: "The experiment's name.")
        var name: String

        @Argument(help: "The trial number `forage ask` printed.")
        var trial: Int

        @Option(help: "The metrics as a JSON object of numbers, e.g. '{\"loss\": 0.3}'.")
        var metrics: String?

        @Option(help: "An intermediate report at this step, judged by the scheduler (answers continue or stop).")
        var step: Int?

        @Option(help: "End the trial as failed or pruned instead of completed.")
        var state: TellState?

        @Option(help: "Output format: text or json.")
        var format: AskFormat = .text

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if step != nil && state != nil { throw ValidationError("--step is an intermediate report; --state ends the trial: give one of them") }
            if metrics == nil && state == nil { throw ValidationError("nothing to tell: give --metrics '{\"loss\": 0.3}' (with --step K for a report) or --state failed|pruned") }
            if step != nil && metrics == nil { throw ValidationError("--step needs --metrics") }
            if let step, step < 0 { throw ValidationError("--step must be a non-negative integer, got \(step)") }
            if let metrics { _ = try Self.parseMetrics(metrics) }
        }

        static func parseMetrics(_ text: String) throws -> [String: Double] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw ValidationError("--metrics must be a JSON object of numbers, e.g. '{\"loss\": 0.3}'; got \(text.prefix(80))")
            }
            var values: [String: Double] = [:]
            for (key, raw) in object {
                guard let number = raw as? NSNumber, String(cString: number.objCType) != "c" else {
                    throw ValidationError("--metrics: '\(key)' must be a number")
                }
                values[key] = number.doubleValue
            }
            guard !values.isEmpty else { throw ValidationError("--metrics is empty: give at least the objective metric") }
            return values
        }

        func run() async throws {
            let values = try metrics.map(Self.parseMetrics) ?? [:]
            let (trial, step, state) = (self.trial, self.step, self.state)
            let answer = try await reportingErrors {
                let store = try await storeOptions.open(.write)
                let spec = try await ExternalSpec.load(name, store: store.experiments)
                return try await ExternalSession.run(spec: spec, store: store.experiments) { engine -> String in
                    if let step {
                        return try await engine.tell(trial: trial, step: step, values: values) == .stop ? "stop" : "continue"
                    }
                    let outcome: TrialOutcome
                    switch state {
                    case .failed?: outcome = .failed(reason: .error, message: "reported failed by forage tell", metrics: values)
                    case .pruned?: outcome = .pruned(metrics: values)
                    case nil: outcome = .completed(metrics: values)
                    }
                    _ = try await engine.tell(trial: trial, outcome: outcome)
                    return "recorded"
                }
            }
            switch format {
            case .json: print("{\"experiment\": \(JSONText.quoted(name)), \"trial\": \(trial), \"answer\": \"\(answer)\"}")
            case .text: print(answer)
            }
        }
    }
}

enum AskFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

enum TellState: String, ExpressibleByArgument, CaseIterable {
    case failed
    case pruned
}

/// The stored spec of an external experiment, as `resume` reads it.
enum ExternalSpec {
    static func load(_ name: String, store: any ExperimentStore) async throws -> ExperimentSpec {
        let record = try await store.requireExperiment(name)
        let base = record.specPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
        var spec = try SpecLoader.parse(record.spec, file: record.specPath ?? name, baseDirectory: base)
        spec.name = record.name
        spec.searcher.seed = record.seed
        return spec
    }
}
