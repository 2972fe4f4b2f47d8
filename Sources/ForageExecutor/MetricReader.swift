import ForageCore
import Foundation

/// Reads a command trial's stdout lines in the spec's metric format (`trial.metrics`, DESIGN §5).
///
/// JSON lines (`MetricLineParser`) are always understood; Syne Tune's `[tune-metric]: {…}` lines are JSON lines
/// with a prefix (their `epoch` counts as the step when `step` is missing). `key-value` and `regex` are read in
/// addition to JSON, so scripts using the `forage` Python package work under every format.
struct MetricReader: Sendable {
    private enum Reader: @unchecked Sendable {
        case json
        case keyValue
        /// NSRegularExpression is immutable once built and safe to use from several threads.
        case regex(NSRegularExpression, groups: [String])
    }

    private let reader: Reader

    /// The reader for `format`; a regex that does not compile is reported by the spec parser before any run, so here
    /// it falls back to JSON lines.
    init(format: MetricFormat) {
        switch format {
        case .json: reader = .json
        case .keyValue: reader = .keyValue
        case .regex(let pattern):
            if let compiled = try? MetricPattern.compile(pattern) {
                reader = .regex(compiled.regex, groups: compiled.groups)
            } else {
                reader = .json
            }
        }
    }

    /// The report a line holds, or nil for a log line.
    func parse(_ line: String) -> MetricReport? {
        if let report = MetricLineParser.parse(line) { return report }
        if let report = Self.tuneMetric(line) { return report }
        switch reader {
        case .json: return nil
        case .keyValue: return Self.keyValues(line)
        case .regex(let regex, let groups): return Self.matches(line, regex: regex, groups: groups)
        }
    }

    static let tunePrefix = "[tune-metric]:"

    /// Syne Tune's `[tune-metric]: {"epoch": 3, "loss": 0.2}`.
    static func tuneMetric(_ line: String) -> MetricReport? {
        guard let range = line.range(of: tunePrefix) else { return nil }
        let rest = String(line[range.upperBound...])
        guard var report = MetricLineParser.parse(rest) else { return nil }
        if report.step == nil, let epoch = report.values["epoch"], epoch.isFinite, epoch == epoch.rounded(), abs(epoch) < 1e15 {
            report.step = Int(epoch)
            report.values["epoch"] = nil
            if report.values.isEmpty { return nil }
        }
        return report
    }

    private static let pairPattern: NSRegularExpression? = try? NSRegularExpression(
        pattern: #"(?<![\w./-])([A-Za-z_][\w.-]*)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|NaN|inf|Inf|Infinity))(?![\w.])"#)

    /// Katib's `name=value` pairs: every pair on the line is a metric, `step` the step.
    static func keyValues(_ line: String) -> MetricReport? {
        guard let pattern = pairPattern else { return nil }
        let text = line as NSString
        var values: [String: Double] = [:]
        var step: Int?
        for match in pattern.matches(in: line, range: NSRange(location: 0, length: text.length)) {
            let name = text.substring(with: match.range(at: 1))
            guard let value = number(text.substring(with: match.range(at: 2))) else { continue }
            if name == "step" {
                guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else { continue }
                step = Int(value)
            } else {
                values[name] = value
            }
        }
        return values.isEmpty ? nil : MetricReport(step: step, values: values)
    }

    static func matches(_ line: String, regex: NSRegularExpression, groups: [String]) -> MetricReport? {
        let text = line as NSString
        var values: [String: Double] = [:]
        var step: Int?
        for match in regex.matches(in: line, range: NSRange(location: 0, length: text.length)) {
            func group(_ name: String) -> String? {
                let range = match.range(withName: name)
                return range.location == NSNotFound ? nil : text.substring(with: range)
            }
            if let raw = group("step"), let value = number(raw), value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                step = Int(value)
            }
            if groups.contains("name") && groups.contains("value") {
                if let name = group("name"), !name.isEmpty, let raw = group("value"), let value = number(raw) {
                    if name == "step" {
                        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { step = Int(value) }
                    } else {
                        values[name] = value
                    }
                }
            } else {
                for name in groups where name != "step" {
                    if let raw = group(name), let value = number(raw) { values[name] = value }
                }
            }
        }
        return values.isEmpty ? nil : MetricReport(step: step, values: values)
    }

    static func number(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(trimmed)
        }
    }
}
