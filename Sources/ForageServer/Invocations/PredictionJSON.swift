import ForageCore
import ForageML
import NIOCore

/// Writes `{"predictions": […]}` (and with `proba`, `"classes"` and `"probabilities"`; when some categorical inputs
/// were never seen in training, `"unseen_categories"`) straight into the response's buffer. Numeric class labels are
/// written as JSON numbers (as MLflow does), other labels as strings.
enum PredictionJSON {
    /// At most this many unseen categories are listed (the `X-Forage-Unseen-Categories` header counts them all).
    static let unseenListed = 100

    /// `labels` are the class labels already as JSON (`label(_:)`, worked out once per model version).
    static func encode(_ predictions: Predictions, probabilities: Bool, labels: [[UInt8]]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(32 + predictions.count * 12)
        out.writeStaticString(#"{"predictions":["#)
        if predictions.classLabels.isEmpty {
            for (i, value) in predictions.values.enumerated() {
                if i > 0 { out.writeInteger(UInt8(ascii: ",")) }
                number(value, into: &out)
            }
        } else {
            for (i, index) in predictions.classIndices.enumerated() {
                if i > 0 { out.writeInteger(UInt8(ascii: ",")) }
                out.writeBytes(labels[index])
            }
            if probabilities, let matrix = predictions.probabilities {
                out.writeStaticString(#"],"classes":["#)
                for (k, text) in labels.enumerated() {
                    if k > 0 { out.writeInteger(UInt8(ascii: ",")) }
                    out.writeBytes(text)
                }
                out.writeStaticString(#"],"probabilities":["#)
                for r in 0..<matrix.rows {
                    if r > 0 { out.writeInteger(UInt8(ascii: ",")) }
                    out.writeInteger(UInt8(ascii: "["))
                    for c in 0..<matrix.columns {
                        if c > 0 { out.writeInteger(UInt8(ascii: ",")) }
                        number(matrix[r, c], into: &out)
                    }
                    out.writeInteger(UInt8(ascii: "]"))
                }
            }
        }
        out.writeInteger(UInt8(ascii: "]"))
        if !predictions.unseenCategories.isEmpty {
            out.writeStaticString(#","unseen_categories":["#)
            for (k, unseen) in predictions.unseenCategories.prefix(unseenListed).enumerated() {
                if k > 0 { out.writeInteger(UInt8(ascii: ",")) }
                out.writeString(
                    #"{"row":\#(unseen.row),"column":\#(JSONText.quoted(unseen.column)),"value":\#(JSONText.quoted(unseen.value))}"#)
            }
            out.writeInteger(UInt8(ascii: "]"))
        }
        out.writeInteger(UInt8(ascii: "}"))
        return out
    }

    /// A label as JSON: a number when it is one, else a string.
    static func label(_ text: String) -> [UInt8] {
        if let value = Double(text), value.isFinite, !text.contains(where: { $0 == "+" || $0 == " " }) { return Array(text.utf8) }
        return Array(JSONText.quoted(text).utf8)
    }

    static func number(_ value: Double, into out: inout ByteBuffer) {
        if value.isFinite {
            out.writeString(value.description)
        } else {
            out.writeStaticString("null")
        }
    }
}
