import Foundation

/// Why a CSV could not be scored: the rows predicted, but their true values are missing or unreadable.
public enum ScoreError: Error, CustomStringConvertible, Equatable {
    /// The file has no column named after the model's target.
    case missingTarget(path: String, target: String, available: [String])
    /// A classification label training never saw.
    case unknownLabel(path: String, row: Int, label: String, known: [String])
    /// A regression target that is not a number.
    case notANumber(path: String, row: Int, value: String)

    public var description: String {
        switch self {
        case .missingTarget(let path, let target, let available):
            return "\(path): no target column '\(target)' to score against (columns: \(available.joined(separator: ", ")))"
        case .unknownLabel(let path, let row, let label, let known):
            return "\(path): row \(row): label '\(label)' of the target column is not one the model knows (\(known.joined(separator: ", ")))"
        case .notANumber(let path, let row, let value):
            return "\(path): row \(row): target '\(value)' is not a number"
        }
    }
}

extension Model {
    /// Scores the model on a CSV that also holds the target column (a test file kept apart from the training data):
    /// the metrics the search records for its test split (`accuracy`, `logloss`, … or `r2`, `rmse`, …, and `loss`),
    /// without prefix, plus `rows`.
    public func score(csvAt path: String, predictions: Predictions) throws -> [String: Double] {
        let table = try CSVTable.read(path: path).table
        let target = file.header.target
        guard let column = table.header.firstIndex(of: target) else {
            throw ScoreError.missingTarget(path: path, target: target, available: table.header)
        }
        var metrics: [String: Double]
        if let probabilities = predictions.probabilities {
            let labels = file.header.classLabels
            let index = Dictionary(labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            var truth: [Int] = []
            truth.reserveCapacity(table.rows.count)
            for (row, number) in zip(table.rows, table.rowNumbers) {
                let label = row[column].trimmingCharacters(in: .whitespaces)
                guard let k = index[label] else { throw ScoreError.unknownLabel(path: path, row: number, label: label, known: labels) }
                truth.append(k)
            }
            metrics = ClassificationMetrics.compute(probabilities: probabilities, truth: truth)
            metrics["loss"] = metrics["logloss"]
        } else {
            var truth: [Double] = []
            truth.reserveCapacity(table.rows.count)
            for (row, number) in zip(table.rows, table.rowNumbers) {
                let text = row[column].trimmingCharacters(in: .whitespaces)
                guard let value = Double(text), value.isFinite else { throw ScoreError.notANumber(path: path, row: number, value: text) }
                truth.append(value)
            }
            metrics = RegressionMetrics.compute(predicted: predictions.values, truth: truth)
            metrics["loss"] = pow(metrics["rmse"] ?? 0, 2)
        }
        metrics["rows"] = Double(table.rows.count)
        return metrics
    }
}
