import Foundation

/// How a command trial prints its metrics (`trial.metrics` in the spec, DESIGN §5).
///
/// JSON lines are always understood; the other formats are read in addition, so a script using the `forage`
/// Python package (which prints JSON) works under any of them.
public enum MetricFormat: Sendable, Equatable {
    /// One JSON object of numbers per line (`{"step": 3, "loss": 0.4}`), also after Syne Tune's `[tune-metric]: `.
    case json
    /// Katib's `name=value` pairs anywhere on a line (`epoch 3: step=3 accuracy=0.91`); `step` is the step.
    case keyValue
    /// A user regular expression (SageMaker's `MetricDefinitions`, Katib's `metricsFormat`): either groups named
    /// `name` and `value` (one metric per match), or one group named after each metric; an optional group `step`.
    /// Python's `(?P<name>…)` is accepted as well as `(?<name>…)`.
    case regex(String)
}

/// How a command trial's parameters are put on its command line (`trial.args`).
public enum ArgumentStyle: String, Sendable, Equatable, CaseIterable {
    /// Only where `{name}` placeholders stand.
    case placeholders
    /// Also `--name=value` appended for every active parameter (W&B's `${args}`), for argparse scripts.
    case flags
}

/// A `trial.metrics: {regex: …}` pattern, compiled.
public enum MetricPattern {
    /// The compiled regex and its named groups, in order; Python's `(?P<name>` is rewritten to `(?<name>`. Throws
    /// when the pattern does not compile.
    public static func compile(_ pattern: String) throws -> (regex: NSRegularExpression, groups: [String]) {
        let rewritten = pattern.replacingOccurrences(of: "(?P<", with: "(?<")
        let regex = try NSRegularExpression(pattern: rewritten)
        var groups: [String] = []
        if let finder = try? NSRegularExpression(pattern: #"\(\?<([A-Za-z][A-Za-z0-9_]*)>"#) {
            let text = rewritten as NSString
            for match in finder.matches(in: rewritten, range: NSRange(location: 0, length: text.length)) {
                groups.append(text.substring(with: match.range(at: 1)))
            }
        }
        return (regex, groups)
    }
}
