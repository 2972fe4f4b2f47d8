import ArgumentParser
import ForageCore
import ForageReport
import ForageStore
import Foundation

extension Forage {
    /// `forage leaderboard NAME`: completed trials ranked by the objective.
    struct Leaderboard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rank an experiment's completed trials by the objective, best first.")

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(parsing: .unconditional, help: "Show only the best K trials (html: the table's rows, default 1000; the plots use every trial).")
        var top: Int?

        @Option(help: "table, csv, json, markdown or html (one self-contained page with plots).")
        var format: OutputFormat = .table

        @Option(help: "Write to this file instead of stdout.")
        var output: String?

        @Flag(help: "Only the Pareto front: the feasible trials no other feasible trial dominates (front 1).")
        var pareto = false

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let top, top < 1 { throw ValidationError("--top must be a positive integer, got \(top)") }
        }

        func run() async throws {
            try await reportingErrors {
                let store = (try await storeOptions.open(.read)).experiments
                let experiment = try await store.requireExperiment(name)
                let sink = try output.map { try OutputSink(file: $0) } ?? OutputSink()
                var written = 0
                if format == .html {
                    let report = try await ReportData.load(from: store, experiment: name, tableRows: top ?? 1000)
                    try sink.line(ReportBuilder(data: report).page())
                    written = report.leaderboard.count
                } else {
                    let columns = LeaderboardColumns(experiment: experiment, columns: try await store.listingColumns(experiment, completedOnly: true))
                    // JSON carries every metric and decision; the tables only their metric columns.
                    let detail = format == .json ? RecordDetail.full : RecordDetail(metrics: Set(columns.metricNames), decisions: false)
                    let trials = pareto || experiment.goals.ranksByFront
                        ? store.frontRankedTrials(experiment, top: top, detail: detail, paretoOnly: pareto)
                        : store.rankedTrials(experiment, top: top, detail: detail)
                    written = try await columns.write(trials, format: format, to: sink)
                }
                try sink.close()
                if let output { printNote("wrote \(written) trials to \(output)") }
            }
        }
    }
}

/// The leaderboard's columns (`rank, trial, <objective>, <parameters>, <other final metrics>, duration_s`) and its
/// formats, written as the ranked trials are read.
struct LeaderboardColumns {
    var experiment: ExperimentRecord
    var columns: ListingColumns

    var goals: ObjectiveSet { experiment.goals }

    var objectiveMetrics: [String] { goals.objectives.map(\.metric) }

    var metricNames: [String] { columns.metricNames.filter { !objectiveMetrics.contains($0) } }

    /// Multi-objective and constrained experiments add `front` before the objectives (empty for an infeasible
    /// trial) and, with constraints, `feasible` after them.
    var header: [String] {
        guard goals.ranksByFront else { return ["rank", "trial", experiment.objective.metric] + experiment.parameterNames + metricNames + ["duration_s"] }
        return ["rank", "trial", "front"] + objectiveMetrics + (goals.isConstrained ? ["feasible"] : []) + experiment.parameterNames + metricNames
            + ["duration_s"]
    }

    /// Writes the ranked trials in `format`; returns how many were written.
    func write(_ trials: TrialStream, format: OutputFormat, to sink: OutputSink) async throws -> Int {
        var rank = 0
        switch format {
        case .json:
            let describe: (Objective) -> String = {
                "{\"direction\":\(JSONText.quoted($0.direction.rawValue)),\"metric\":\(JSONText.quoted($0.metric))}"
            }
            try sink.line(
                "{\(goals.ranksByFront ? "\"constraints\":[\(goals.constraints.map { JSONText.quoted($0.description) }.joined(separator: ","))]," : "")"
                    + "\"data_sha256\":\(TrialJSONWriter.string(experiment.data?.sha256)),\"experiment\":\(JSONText.quoted(experiment.name)),"
                    + "\"objective\":\(describe(experiment.objective)),"
                    + (goals.ranksByFront ? "\"objectives\":[\(goals.objectives.map(describe).joined(separator: ","))]," : "")
                    + "\"spec_sha256\":\(JSONText.quoted(experiment.specSHA256)),\"trials\":[")
            for try await trial in trials {
                rank += 1
                try sink.trialJSON(trial, rank: rank, first: rank == 1)
            }
            try sink.line("]}")
        case .csv, .markdown, .table:
            if format == .table, let data = experiment.data {
                // Which data these results came from (data versioning).
                let name = URL(fileURLWithPath: data.path).lastPathComponent
                try sink.line("data: \(name) sha256 \(data.sha256.prefix(12))…, \(data.rows) rows, split \(data.trainRows)/\(data.validationRows)/\(data.testRows)")
            }
            try await StreamedTable.write(
                trials, header: header,
                row: { trial in
                    rank += 1
                    return row(trial, rank: rank, exact: format == .csv)
                }, csv: format == .csv,
                markdown: format == .markdown, empty: "no completed trials yet", to: sink)
        case .html:
            throw CLIError("the html leaderboard is written from the experiment's report data")
        }
        return rank
    }

    func row(_ trial: TrialRecord, rank: Int, exact: Bool) -> [String] {
        let number: (Double?) -> String = { value in value.map(exact ? Format.exact : Format.number) ?? "" }
        var row: [String] = [String(rank), String(trial.number)]
        if goals.ranksByFront {
            row.append(trial.front.map(String.init) ?? "")
            let values = trial.values ?? [trial.value].compactMap { $0 }
            for index in objectiveMetrics.indices { row.append(number(index < values.count ? values[index] : nil)) }
            if goals.isConstrained { row.append(trial.isFeasible ? "yes" : "no") }
        } else {
            row.append(number(trial.value))
        }
        for name in experiment.parameterNames {
            let value: ParameterValue? = trial.params[name]
            row.append(value.map { exact ? exactParameter($0) : Format.parameter($0) } ?? "")
        }
        for metric in metricNames { row.append(number(trial.metrics[metric])) }
        row.append(trial.duration.map(Format.seconds) ?? "")
        return row
    }

    private func exactParameter(_ value: ParameterValue) -> String {
        if case .double(let number) = value { return Format.exact(number) }
        return value.description
    }
}
