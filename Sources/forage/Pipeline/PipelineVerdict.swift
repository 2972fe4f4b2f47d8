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

    var line: String {
        let champion = championVersion.map { "\(model):\($0) \(metric) \(number(championValue))" } ?? "no champion at @\(alias)"
        switch decision {
        case .promoted:
            return "promoted: \(experiment) trial \(candidateTrial) (\(metric) \(number(candidateValue))) as \(model):\(promotedVersion ?? 0) @\(alias); was \(champion)"
        case .kept:
            return "kept: \(champion) is not beaten by \(experiment) trial \(candidateTrial) (\(metric) \(number(candidateValue))) on the same \(testRows) test rows"
        }
    }

    private func number(_ value: Double?) -> String { value.map(JSONText.number) ?? "-" }
}

/// The pipeline's refit step: fit the best trial's parameters again on the training and validation rows before the
/// comparison. The refit trainer comes with the gbdt/refit work (issue 16); until then this step reports itself
/// as not available and the best trial's own model is the candidate. To wire it in: make `run` fit and return
/// `.refitted(modelFile:)`, and have the pipeline evaluate and promote that file (the refit entry promote takes).
enum PipelineRefit {
    enum Outcome {
        case notAvailable
        case refitted(modelFile: URL)

        var json: String {
            switch self {
            case .notAvailable: return #"{"status":"not-available"}"#
            case .refitted(let file): return #"{"status":"refitted","model_file":\#(JSONText.quoted(file.path))}"#
            }
        }
    }

    /// The seam: nothing to do yet.
    static func run(experiment: String, trial: Int) -> Outcome { .notAvailable }
}
