import ForageCore
import Foundation

/// What `forage pipeline` decided, printed as JSON (`--format json`) or one line, and its exit code.
struct PipelineVerdict {
    /// `promoted` (exit 0) or `kept` (exit `PipelineVerdict.keptExitCode`).
    enum Decision: String {
        case promoted, kept
    }

    /// The exit code when the champion is kept (documented in README and `forage pipeline --help`).
    static let keptExitCode: Int32 = 3

    var decision: Decision
    var experiment: String
    var dataPath: String
    var dataSHA256: String
    var model: String
    var alias: String
    /// The objective measured on the test split, e.g. `test_accuracy`.
    var metric: String
    var direction: Direction
    var candidateTrial: Int
    var candidateValue: Double
    var championVersion: Int?
    var championValue: Double?
    var promotedVersion: Int?
    var refit: PipelineRefit.Outcome
    var testRows: Int

    var json: String {
        func number(_ value: Double?) -> String { value.map(JSONText.number) ?? "null" }
        let champion = championVersion.map { #"{"version":\#($0),"value":\#(number(championValue))}"# } ?? "null"
        return #"{"verdict":"\#(decision.rawValue)","experiment":\#(JSONText.quoted(experiment)),"#
            + #""data":{"path":\#(JSONText.quoted(dataPath)),"sha256":"\#(dataSHA256)","test_rows":\#(testRows)},"#
            + #""model":\#(JSONText.quoted(model)),"alias":\#(JSONText.quoted(alias)),"#
            + #""metric":\#(JSONText.quoted(metric)),"direction":"\#(direction.rawValue)","#
            + #""candidate":{"trial":\#(candidateTrial),"value":\#(number(candidateValue))},"champion":\#(champion),"#
            + #""promoted_version":\#(promotedVersion.map(String.init) ?? "null"),"refit":\#(refit.json)}"#
    }

    /// `trial 7`, or `trial 7 refit on 1200 rows` when the candidate is the refit model.
    private var candidateName: String {
        guard case .refitted(_, let rows, _, _) = refit else { return "trial \(candidateTrial)" }
        return "trial \(candidateTrial) refit on \(rows) rows"
    }

    var line: String {
        let champion = championVersion.map { "\(model):\($0) \(metric) \(number(championValue))" } ?? "no champion at @\(alias)"
        switch decision {
        case .promoted:
            return "promoted: \(experiment) \(candidateName) (\(metric) \(number(candidateValue))) as \(model):\(promotedVersion ?? 0) @\(alias); was \(champion)"
        case .kept:
            return "kept: \(champion) is not beaten by \(experiment) \(candidateName) (\(metric) \(number(candidateValue))) on the same \(testRows) test rows"
        }
    }

    private func number(_ value: Double?) -> String { value.map(JSONText.number) ?? "-" }
}
