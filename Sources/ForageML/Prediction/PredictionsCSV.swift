import ForageCore
import Foundation

/// Writing predictions as CSV: a `prediction` column, plus `proba_<label>` columns for classification when asked.
public enum PredictionsCSV {
    /// The CSV text.
    public static func render(_ predictions: Predictions, includeProbabilities: Bool = true) -> String {
        var lines: [String] = []
        if predictions.classLabels.isEmpty {
            lines.append("prediction")
            lines += predictions.values.map { String($0) }
        } else {
            let probabilityColumns = includeProbabilities && predictions.probabilities != nil
            var header = ["prediction"]
            if probabilityColumns { header += predictions.classLabels.map { quote("proba_\($0)") } }
            lines.append(header.joined(separator: ","))
            for (r, label) in predictions.labels.enumerated() {
                var fields = [quote(label)]
                if probabilityColumns, let probabilities = predictions.probabilities {
                    fields += (0..<probabilities.columns).map { String(probabilities[r, $0]) }
                }
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Writes predictions to a CSV file (see `PredictionsCSV`), whole or not at all; an `OutputFileError` says why not.
public func writePredictionsCSV(_ predictions: Predictions, to path: String, includeProbabilities: Bool = true) throws(OutputFileError) {
    try OutputFile.write(PredictionsCSV.render(predictions, includeProbabilities: includeProbabilities), to: path)
}
