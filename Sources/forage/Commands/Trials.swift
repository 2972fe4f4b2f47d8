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
                let store = (try await storeOptions.open(.read)).experiments
                let experiment = try await store.requireExperiment(name)
                let filter = state.flatMap(TrialState.init(rawValue:))
                let trials = store.allTrials(experiment, state: filter)
                let sink = OutputSink()
                switch format {
                case .json:
                    try sink.line("{\"experiment\":\(JSONText.quoted(experiment.name)),\"trials\":[")
                    var first = true
                    for try await trial in trials {
                        try sink.trialJSON(trial, first: first)
                        first = false
                    }
                    try sink.line("]}")
                default:
                    let columns = TrialColumns(experiment: experiment, columns: try await store.listingColumns(experiment, completedOnly: false))
                    try await StreamedTable.write(
                        trials, header: columns.header, row: { columns.row($0, exact: format == .csv) }, csv: format == .csv,
                        empty: "no trials", to: sink)
                }
                try sink.close()
            }
        }
    }
}

/// The columns of `forage trials`: number, state, objective, parameters, other metrics, attempt, worker, duration, reason.
struct TrialColumns {
    var experiment: ExperimentRecord
    var columns: ListingColumns

    var metricNames: [String] { columns.metricNames.filter { $0 != experiment.objective.metric } }

    var header: [String] {
        ["trial", "state", experiment.objective.metric] + experiment.parameterNames + metricNames
            + ["attempt", "retry_of"] + (columns.hasWorkers ? ["worker"] : []) + ["duration_s", "reason"]
    }

    func row(_ trial: TrialRecord, exact: Bool) -> [String] {
        let number: (Double?) -> String = { value in value.map(exact ? Format.exact : Format.number) ?? "" }
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
        if columns.hasWorkers { row.append(trial.worker ?? "") }
        row.append(trial.duration.map(Format.seconds) ?? "")
        row.append(why)
        return row
    }
}
