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
                let store = try storeOptions.openExisting()
                let experiment = try store.requireExperiment(name)
                let report = format == .html ? try ReportData.load(from: store, experiment: name, tableRows: top ?? 1000) : nil
                let trials = try report?.leaderboard ?? store.leaderboard(experiment, top: top)
                let text = try LeaderboardFormatter(experiment: experiment, trials: trials, report: report).render(format)
                if let output {
                    do {
                        try (text + "\n").write(toFile: output, atomically: true, encoding: .utf8)
                    } catch {
                        throw CLIError("cannot write \(output): \(error.localizedDescription)")
                    }
                    printNote("wrote \(trials.count) trials to \(output)")
                } else {
                    print(text)
                }
            }
        }
    }
}

/// The leaderboard in every text format: `rank, trial, <objective>, <parameters…>, <other metrics…>, duration_s`.
struct LeaderboardFormatter {
    var experiment: ExperimentRecord
    var trials: [TrialRecord]
    /// What the html format draws (every trial, curves, decisions); the other formats need only `trials`.
    var report: ReportData? = nil

    var metricNames: [String] {
        Set(trials.flatMap(\.metrics.keys)).subtracting([experiment.objective.metric]).sorted()
    }

    func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .json:
            let rows = trials.enumerated().map { index, trial -> [String: Any] in
                var row = RecordJSON.trial(trial)
                row["rank"] = index + 1
                return row
            }
            return try RecordJSON.text(
                [
                    "experiment": experiment.name,
                    "objective": ["metric": experiment.objective.metric, "direction": experiment.objective.direction.rawValue],
                    "spec_sha256": experiment.specSHA256,
                    "data_sha256": experiment.data?.sha256 as Any? ?? NSNull(),
                    "trials": rows,
                ] as [String: Any])
        case .csv: return table(exact: true).csv()
        case .markdown: return table(exact: false).markdown()
        case .table:
            guard !trials.isEmpty else { return "no completed trials yet" }
            var text = table(exact: false).text()
            if let data = experiment.data {
                // Which data these results came from (data versioning).
                let name = URL(fileURLWithPath: data.path).lastPathComponent
                text = "data: \(name) sha256 \(data.sha256.prefix(12))…, \(data.rows) rows, split \(data.trainRows)/\(data.validationRows)/\(data.testRows)\n" + text
            }
            return text
        case .html:
            guard let report else { throw CLIError("the html format needs the experiment's report data") }
            return ReportBuilder(data: report).page()
        }
    }

    func table(exact: Bool) -> TableRenderer {
        let number: (Double?) -> String = { value in value.map(exact ? Format.exact : Format.number) ?? "" }
        let metrics = metricNames
        let header = ["rank", "trial", experiment.objective.metric] + experiment.parameterNames + metrics + ["duration_s"]
        let rows = trials.enumerated().map { index, trial -> [String] in
            var row: [String] = [String(index + 1), String(trial.number), number(trial.value)]
            for name in experiment.parameterNames {
                let value: ParameterValue? = trial.params[name]
                row.append(value.map { exact ? exactParameter($0) : Format.parameter($0) } ?? "")
            }
            for metric in metrics { row.append(number(trial.metrics[metric])) }
            row.append(trial.duration.map { String(format: "%.3f", $0) } ?? "")
            return row
        }
        return TableRenderer(header: header, rows: rows)
    }

    private func exactParameter(_ value: ParameterValue) -> String {
        if case .double(let number) = value { return Format.exact(number) }
        return value.description
    }
}
