import Foundation
import ForageCore

/// Drift of a window of live rows against a model's training distribution: the population stability index of each
/// raw feature and of the predictions, and which of them are past the threshold (flagged only once the window
/// holds `minimumRows` rows, since a few rows give a noisy index).
public struct DriftReport: Sendable, Equatable {
    /// One feature's (or the prediction's) index.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var psi: Double
        public var drifted: Bool
    }

    public var rows: Int
    public var window: Int
    public var threshold: Double
    public var minimumRows: Int
    public var features: [Entry]
    public var prediction: Entry

    /// The features past the threshold.
    public var drifted: [String] { features.filter(\.drifted).map(\.name) }

    /// The report as a JSON object (`GET /drift`, `forage drift --format json`); `context` adds leading fields
    /// (already JSON, e.g. `"model":"digits","version":3`).
    public func json(context: String = "") -> String {
        func entry(_ e: Entry, key: String) -> String {
            #"{"\#(key)":\#(JSONText.quoted(e.name)),"psi":\#(JSONText.number(e.psi)),"drifted":\#(e.drifted)}"#
        }
        let prefix = context.isEmpty ? "" : context + ","
        return "{" + prefix + #""rows":\#(rows),"window":\#(window),"threshold":\#(JSONText.number(threshold)),"#
            + #""minimum_rows":\#(minimumRows),"features":[\#(features.map { entry($0, key: "feature") }.joined(separator: ","))],"#
            + #""prediction":{"psi":\#(JSONText.number(prediction.psi)),"drifted":\#(prediction.drifted)},"#
            + #""drifted":[\#(drifted.map(JSONText.quoted).joined(separator: ","))]}"#
    }

    /// The report as a table: one line per feature, then the prediction.
    public func table() -> String {
        let width = max(10, (features.map(\.name.count).max() ?? 0) + 2)
        func line(_ e: Entry) -> String {
            e.name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "%8.4f", e.psi) + (e.drifted ? "  DRIFT" : "")
        }
        var lines = ["feature".padding(toLength: width, withPad: " ", startingAt: 0) + "     psi"]
        lines += features.map(line)
        lines.append(line(prediction))
        lines.append("\(rows) rows (window \(window)), threshold \(JSONText.number(threshold)); drifted: \(drifted.isEmpty ? "none" : drifted.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
