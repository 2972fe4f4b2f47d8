import ForageCore
import ForageStore
import Foundation

/// The leaderboard table's columns and cells as template context: `rank, trial, <objective>, <parameters…>,
/// <other metrics…>, duration_s`, each cell with a display text and a sort key.
struct LeaderboardTable {
    var experiment: ExperimentRecord
    var trials: [TrialRecord]

    var metricNames: [String] {
        Set(trials.flatMap(\.metrics.keys)).subtracting([experiment.objective.metric]).sorted()
    }

    /// Whether a parameter column holds text (sorted as text) rather than numbers.
    private func isText(_ name: String) -> Bool {
        trials.contains { trial in
            if case .string? = trial.params[name] { return true }
            return false
        }
    }

    var columns: [[String: Any]] {
        let numeric: (String) -> [String: Any] = { ["name": $0, "type": "num", "text": false] }
        return [numeric("rank"), numeric("trial"), numeric(experiment.objective.metric)]
            + experiment.parameterNames.map { isText($0) ? ["name": $0, "type": "text", "text": true] : numeric($0) }
            + metricNames.map(numeric) + [numeric("duration_s")]
    }

    var rows: [[String: Any]] {
        let metrics = metricNames
        return trials.enumerated().map { index, trial -> [String: Any] in
            var cells: [[String: Any]] = [number(Double(index + 1)), number(Double(trial.number)), number(trial.value)]
            for name in experiment.parameterNames {
                switch trial.params[name] {
                case .string(let s)?: cells.append(["shown": s, "sort": s, "text": true])
                case let value?: cells.append(number(value.doubleValue, shown: value.description))
                case nil: cells.append(["shown": "", "sort": "", "text": false])
                }
            }
            for metric in metrics { cells.append(number(trial.metrics[metric])) }
            cells.append(number(trial.duration, shown: trial.duration.map { String(format: "%.3f", $0) }))
            return ["cells": cells]
        }
    }

    private func number(_ value: Double?, shown: String? = nil) -> [String: Any] {
        guard let value else { return ["shown": "", "sort": "", "text": false] }
        return ["shown": shown ?? Self.format(value), "sort": "\(value)", "text": false]
    }

    /// A number as the table shows it: up to 6 significant digits.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return String(Int(value)) }
        return String(format: "%.6g", value)
    }
}
