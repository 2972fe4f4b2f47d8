import ForageCore
import Foundation

/// Evaluates any model on the test split of a prepared dataset from the raw rows of its file, so a candidate and
/// the model it would replace (trained on other data, perhaps with other categories) are measured on exactly the
/// same rows, each with its own preprocessing. Used by `forage pipeline`.
public struct SameSplitEvaluation: Sendable {
    /// The raw test rows and their true targets.
    public let table: CSVTable
    public let rows: [Int]
    public let target: String
    public let task: DataSpec.Task

    /// Why a model cannot be measured on the split.
    public struct Mismatch: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Reads `data`'s file again and keeps the rows of its test split (the validation split when there is no test split).
    public init(data: PreparedData) throws {
        let table = try CSVTable.read(path: data.path).table
        let wanted = Set(data.test.count > 0 ? data.test.rowNumbers : data.validation.rowNumbers)
        rows = table.rowNumbers.indices.filter { wanted.contains(table.rowNumbers[$0]) }
        self.table = table
        target = data.target
        task = data.task
    }

    /// The model's metrics on the split (`accuracy`, `logloss`, … or `rmse`, `r2`, …, without a prefix).
    public func metrics(of model: Model, name: String) throws -> [String: Double] {
        guard model.file.header.task == task else {
            throw Mismatch(description: "\(name) is a \(model.file.header.task.rawValue) model, the data is for \(task.rawValue)")
        }
        let columns = try model.inputColumns.map { column -> Int in
            guard let index = table.header.firstIndex(of: column) else {
                throw Mismatch(description: "\(name) needs column '\(column)', which \(table.path) does not have")
            }
            return index
        }
        let targetIndex = try table.columnIndex(target)
        guard !rows.isEmpty else { throw Mismatch(description: "the test split of \(table.path) is empty") }
        let predictions = try model.predict(rows: rows.map { r in columns.map { InputValue(csvField: table.rows[r][$0]) } })
        switch task {
        case .classification:
            let labels = model.file.header.classLabels
            let truth = try rows.map { r -> Int in
                let label = CanonicalLabel.canonical(table.rows[r][targetIndex])
                guard let index = labels.firstIndex(of: label) else {
                    throw Mismatch(description: "\(name) does not know class '\(label)' (row \(table.rowNumbers[r]) of \(table.path)); it knows \(labels.joined(separator: ", "))")
                }
                return index
            }
            guard let probabilities = predictions.probabilities else { return [:] }
            var metrics = ClassificationMetrics.compute(probabilities: probabilities, truth: truth)
            metrics["loss"] = metrics["logloss"]
            return metrics
        case .regression:
            let truth = try rows.map { r -> Double in
                guard let value = Double(table.rows[r][targetIndex]) else {
                    throw Mismatch(description: "row \(table.rowNumbers[r]) of \(table.path): target '\(table.rows[r][targetIndex])' is not a number")
                }
                return value
            }
            var metrics = RegressionMetrics.compute(predicted: predictions.values, truth: truth)
            metrics["loss"] = pow(metrics["rmse"] ?? 0, 2)
            return metrics
        }
    }
}
