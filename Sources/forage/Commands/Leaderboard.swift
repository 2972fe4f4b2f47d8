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
                    written = try await columns.write(store.rankedTrials(experiment, top: top, detail: detail), format: format, to: sink)
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

    var metricNames: [String] { columns.metricNames.filter { $0 != experiment.objective.metric } }

    var header: [String] { ["rank", "trial", experiment.objective.metric] + experiment.parameterNames + metricNames + ["duration_s"] }

    /// Writes the ranked trials in `format`; returns how many were written.
    func write(_ trials: TrialStream, format: OutputFormat, to sink: OutputSink) async throws -> Int {
        var rank = 0
        switch format {
        case .json:
            let objective = "{\"direction\":\(JSONText.quoted(experiment.objective.direction.rawValue)),\"metric\":\(JSONText.quoted(experiment.objective.metric))}"
            try sink.line(
                "{\"data_sha256\":\(TrialJSONWriter.string(experiment.data?.sha256)),\"experiment\":\(JSONText.quoted(experiment.name)),"
                    + "\"objective\":\(objective),\"spec_sha256\":\(JSONText.quoted(experiment.specSHA256)),\"trials\":[")
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
        var row: [String] = [String(rank), String(trial.number), number(trial.value)]
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
