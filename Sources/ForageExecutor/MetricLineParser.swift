import ForageCore
import Foundation

/// Reads the metric protocol of DESIGN §5: a stdout line holding one JSON object of numbers is a report
/// (`{"step": 3, "val_loss": 0.41}`; no `step` means the final report). Any other line is log output.
///
/// `NaN`, `Infinity` and `-Infinity` (as Python's `json.dumps` writes them) are accepted, so a NaN objective
/// fails the trial as `nan` instead of vanishing into the log.
enum MetricLineParser {
    static func parse(_ line: String) -> MetricReport? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(quoteNonFiniteLiterals(trimmed).utf8)) as? [String: Any] else {
            return nil
        }
        var values: [String: Double] = [:]
        var step: Int?
        for (key, raw) in object {
            guard let number = number(raw) else { continue }
            if key == "step" {
                guard number.isFinite, number == number.rounded() else { return nil }
                step = Int(number)
            } else {
                values[key] = number
            }
        }
        guard !values.isEmpty else { return nil }
        return MetricReport(step: step, values: values)
    }

    /// Puts quotes around bare `NaN`, `Infinity` and `-Infinity` outside strings, so strict JSON accepts them.
    static func quoteNonFiniteLiterals(_ text: String) -> String {
        guard text.contains("NaN") || text.contains("Infinity") else { return text }
        var result = ""
        var inString = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if inString {
                result.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                index = text.index(after: index)
                continue
            }
            if character == "\"" { inString = true }
            var matched = false
            for literal in ["-Infinity", "Infinity", "NaN"] where text[index...].hasPrefix(literal) {
                result += "\"\(literal)\""
                index = text.index(index, offsetBy: literal.count)
                matched = true
                break
            }
            if !matched {
                result.append(character)
                index = text.index(after: index)
            }
        }
        return result
    }

    private static func number(_ raw: Any) -> Double? {
        // `raw is Bool` would also be true for the numbers 0 and 1 (NSNumber bridges to Bool), so compare types.
        if type(of: raw) == Bool.self { return nil }
        if let number = raw as? NSNumber {
            // NSNumber wraps JSON booleans too on Linux; their objCType is "c".
            if String(cString: number.objCType) == "c" { return nil }
            return number.doubleValue
        }
        if let text = raw as? String {
            switch text.lowercased() {
            case "nan": return .nan
            case "inf", "infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: return nil
            }
        }
        return nil
    }
}
