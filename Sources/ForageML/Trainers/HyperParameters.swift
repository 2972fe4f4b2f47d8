import ForageCore

/// Reads one family's hyperparameters from a `ParameterSet`, with defaults and range checks that throw
/// `TrainerError.badParameter`. Parameters the family does not use are ignored (a conditional search space may
/// hand over other families' parameters).
struct HyperParameters {
    let family: String
    let values: ParameterSet

    func double(_ name: String, default value: Double, minimum: Double? = nil, exclusiveMinimum: Bool = false,
                maximum: Double? = nil) throws -> Double {
        guard let given = values[name] else { return value }
        guard case .some(let number) = numeric(given), number.isFinite else {
            throw bad(name, given, "a finite number\(rangeText(minimum, exclusiveMinimum, maximum))")
        }
        if let minimum, exclusiveMinimum ? number <= minimum : number < minimum {
            throw bad(name, given, "a number\(rangeText(minimum, exclusiveMinimum, maximum))")
        }
        if let maximum, number > maximum { throw bad(name, given, "a number\(rangeText(minimum, exclusiveMinimum, maximum))") }
        return number
    }

    func int(_ name: String, default value: Int, minimum: Int, maximum: Int) throws -> Int {
        guard let given = values[name] else { return value }
        let allowed = "an integer from \(minimum) to \(maximum)"
        guard case .some(let number) = numeric(given), number.isFinite, number == number.rounded() else {
            throw bad(name, given, allowed)
        }
        guard number >= Double(minimum), number <= Double(maximum) else { throw bad(name, given, allowed) }
        return Int(number)
    }

    func choice(_ name: String, default value: String, allowed: [String]) throws -> String {
        guard let given = values[name] else { return value }
        guard case .string(let text) = given, allowed.contains(text) else {
            throw bad(name, given, allowed.joined(separator: " | "))
        }
        return text
    }

    func optionalInt(_ name: String, minimum: Int, maximum: Int) throws -> Int? {
        values[name] == nil ? nil : try int(name, default: minimum, minimum: minimum, maximum: maximum)
    }

    /// A number, or a string holding one (categorical choices such as `[32, 64]` may arrive as text); not a bool.
    private func numeric(_ value: ParameterValue) -> Double? {
        switch value {
        case .double(let x): return x
        case .int(let x): return Double(x)
        case .string(let text): return Double(text)
        case .bool: return nil
        }
    }

    private func rangeText(_ minimum: Double?, _ exclusive: Bool, _ maximum: Double?) -> String {
        var parts: [String] = []
        if let minimum { parts.append(exclusive ? "> \(minimum)" : ">= \(minimum)") }
        if let maximum { parts.append("<= \(maximum)") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " and ")
    }

    private func bad(_ name: String, _ value: ParameterValue, _ allowed: String) -> TrainerError {
        .badParameter(family: family, name: name, value: value.description, allowed: allowed)
    }
}
