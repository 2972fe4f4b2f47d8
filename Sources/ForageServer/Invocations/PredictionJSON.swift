import ForageML

/// Writes `{"predictions": […]}` (and with `proba`, `"classes"` and `"probabilities"`) straight to UTF-8 bytes.
/// Numeric class labels are written as JSON numbers (as MLflow does), other labels as strings.
enum PredictionJSON {
    static func encode(_ predictions: Predictions, probabilities: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + predictions.count * 12)
        out.append(contentsOf: Array(#"{"predictions":["#.utf8))
        if predictions.classLabels.isEmpty {
            for (i, value) in predictions.values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                number(value, into: &out)
            }
        } else {
            let labels = predictions.classLabels.map(label)
            for (i, index) in predictions.classIndices.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: labels[index])
            }
            if probabilities, let matrix = predictions.probabilities {
                out.append(contentsOf: Array(#"],"classes":["#.utf8))
                for (k, text) in labels.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: text)
                }
                out.append(contentsOf: Array(#"],"probabilities":["#.utf8))
                for r in 0..<matrix.rows {
                    if r > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(UInt8(ascii: "["))
                    for c in 0..<matrix.columns {
                        if c > 0 { out.append(UInt8(ascii: ",")) }
                        number(matrix[r, c], into: &out)
                    }
                    out.append(UInt8(ascii: "]"))
                }
            }
        }
        out.append(contentsOf: Array("]}".utf8))
        return out
    }

    /// A label as JSON: a number when it is one, else a string.
    static func label(_ text: String) -> [UInt8] {
        if let value = Double(text), value.isFinite, !text.contains(where: { $0 == "+" || $0 == " " }) { return Array(text.utf8) }
        return Array(string(text).utf8)
    }

    static func number(_ value: Double, into out: inout [UInt8]) {
        if value.isFinite {
            out.append(contentsOf: value.description.utf8)
        } else {
            out.append(contentsOf: Array("null".utf8))
        }
    }

    /// A JSON string literal.
    static func string(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }
}
