import ArgumentParser
import ForageCore
import ForageStore
import Foundation

extension Forage {
    /// `forage trials NAME`: every trial with parameters, metrics, state, reason and duration.
    struct Trials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an experiment's trials with their parameters, metrics, state and reason.")

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(help: "Only trials in this state (queued, running, completed, pruned, failed).")
        var state: String?

        @Option(help: "table, csv or json.")
        var format: ListFormat = .table

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let state, TrialState(rawValue: state) == nil {
                throw ValidationError("unknown state '\(state)'; allowed: \(TrialState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.openExisting()
                let experiment = try store.requireExperiment(name)
                let trials = try store.trials(experiment, state: state.flatMap(TrialState.init(rawValue:)))
                switch format {
                case .json:
                    print(try RecordJSON.text(["experiment": experiment.name, "trials": trials.map(RecordJSON.trial)] as [String: Any]))
                case .csv:
                    print(table(trials, experiment: experiment, exact: true).csv())
                default:
                    print(trials.isEmpty ? "no trials" : table(trials, experiment: experiment, exact: false).text())
                }
            }
        }

        private func table(_ trials: [TrialRecord], experiment: ExperimentRecord, exact: Bool) -> TableRenderer {
            let metricNames = Set(trials.flatMap(\.metrics.keys)).subtracting([experiment.objective.metric]).sorted()
            let number: (Double?) -> String = { value in value.map(exact ? Format.exact : Format.number) ?? "" }
            // The worker column appears when remote workers ran some of the trials.
            let remote = trials.contains { $0.worker != nil }
            let header = ["trial", "state", experiment.objective.metric] + experiment.parameterNames + metricNames
                + ["attempt", "retry_of"] + (remote ? ["worker"] : []) + ["duration_s", "reason"]
            let rows = trials.map { trial -> [String] in
                let why: String
                if let reason = trial.reason {
                    why = "\(reason.rawValue): " + (exact ? (trial.message ?? "") : Format.oneLine(trial.message ?? "", limit: 80))
                } else if let stop = trial.pruneReason {
                    why = stop
                } else {
                    why = ""
                }
                var row: [String] = [String(trial.number), trial.state.rawValue, number(trial.value)]
                for name in experiment.parameterNames { row.append(trial.params[name].map { exact ? $0.description : Format.parameter($0) } ?? "") }
                for metric in metricNames { row.append(number(trial.metrics[metric])) }
                row.append(String(trial.attempt))
                row.append(trial.retryOf.map(String.init) ?? "")
                if remote { row.append(trial.worker ?? "") }
                row.append(trial.duration.map { String(format: "%.3f", $0) } ?? "")
                row.append(why)
                return row
            }
            return TableRenderer(header: header, rows: rows)
        }
    }
}
