import ForageCore
import ForageStore
import Foundation

/// The leaderboard table's columns and cells as template context, each cell with a display text and a sort key:
/// `rank, trial, <objective>, <parameters…>, <other metrics…>, duration_s`; an experiment ranked by Pareto front
/// (several objectives or constraints) shows `rank, trial, front, <every objective…>, feasible` before the
/// parameters, as `forage leaderboard` does.
struct LeaderboardTable {
    var experiment: ExperimentRecord
    var trials: [TrialRecord]

    private var goals: ObjectiveSet { experiment.goals }

    /// The objective metrics, in objective order.
    var objectiveNames: [String] { goals.objectives.map(\.metric) }

    var metricNames: [String] {
        Set(trials.flatMap(\.metrics.keys)).subtracting(objectiveNames).sorted()
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
        let text: (String) -> [String: Any] = { ["name": $0, "type": "text", "text": true] }
        var columns = [numeric("rank"), numeric("trial")]
        if goals.ranksByFront { columns.append(numeric("front")) }
        columns += objectiveNames.map(numeric)
        if goals.isConstrained { columns.append(text("feasible")) }
        return columns
            + experiment.parameterNames.map { isText($0) ? text($0) : numeric($0) }
            + metricNames.map(numeric) + [numeric("duration_s")]
    }

    var rows: [[String: Any]] {
        let metrics = metricNames
        return trials.enumerated().map { index, trial -> [String: Any] in
            var cells: [[String: Any]] = [number(Double(index + 1)), number(Double(trial.number))]
            if goals.ranksByFront { cells.append(number(trial.front.map(Double.init))) }
            cells += objectiveValues(of: trial).map { number($0) }
            if goals.isConstrained {
                let feasible = trial.isFeasible ? "yes" : "no"
                cells.append(["shown": feasible, "sort": feasible, "text": true])
            }
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

    /// Every objective's value of a trial: its stored values, else its metrics (the primary value first).
    private func objectiveValues(of trial: TrialRecord) -> [Double?] {
        if let values = trial.values, values.count == objectiveNames.count { return values }
        return objectiveNames.enumerated().map { index, metric in
            index == 0 ? (trial.value ?? trial.metrics[metric]) : trial.metrics[metric]
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
