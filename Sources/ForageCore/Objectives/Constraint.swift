import Foundation

/// One `constraints:` entry: a reported metric compared with a number (`latency_ms <= 10`). A completed trial that
/// breaks one is infeasible: it stays completed but is never best, never promoted and never on the Pareto front.
public struct Constraint: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The comparison a constraint makes.
    public enum Comparison: String, Sendable, Codable, CaseIterable {
        case lessThan = "<"
        case lessOrEqual = "<="
        case greaterThan = ">"
        case greaterOrEqual = ">="
    }

    public var metric: String
    public var comparison: Comparison
    public var bound: Double

    public init(metric: String, comparison: Comparison, bound: Double) {
        self.metric = metric
        self.comparison = comparison
        self.bound = bound
    }

    /// How far `value` is from meeting the constraint: 0 when met, positive otherwise (a strict comparison met with
    /// equality counts a tiny violation, so it is never mistaken for feasible). A missing or non-finite value is
    /// infinitely far.
    public func violation(_ value: Double?) -> Double {
        guard let value, value.isFinite else { return .infinity }
        let smallest = Double.leastNormalMagnitude
        switch comparison {
        case .lessOrEqual: return max(0, value - bound)
        case .lessThan: return value < bound ? 0 : max(value - bound, smallest)
        case .greaterOrEqual: return max(0, bound - value)
        case .greaterThan: return value > bound ? 0 : max(bound - value, smallest)
        }
    }

    public var description: String { "\(metric) \(comparison.rawValue) \(Self.format(bound))" }

    /// The constraint parsed from `metric OPERATOR number`, or a sentence saying what is wrong.
    public static func parse(_ text: String) -> Result<Constraint, ConstraintSyntaxError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Two-character operators first, so `<=` is not read as `<` followed by `=10`.
        for comparison in [Comparison.lessOrEqual, .greaterOrEqual, .lessThan, .greaterThan] {
            guard let range = trimmed.range(of: comparison.rawValue) else { continue }
            let metric = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let number = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !metric.isEmpty, !metric.contains(where: { "<>=! ".contains($0) }) else {
                return .failure(ConstraintSyntaxError(text: text, problem: "needs a metric name before '\(comparison.rawValue)'"))
            }
            guard let bound = Double(number), bound.isFinite else {
                return .failure(ConstraintSyntaxError(text: text, problem: "'\(number)' after '\(comparison.rawValue)' is not a finite number"))
            }
            return .success(Constraint(metric: metric, comparison: comparison, bound: bound))
        }
        return .failure(ConstraintSyntaxError(text: text, problem: "has no comparison; write `metric OPERATOR number` with one of <, <=, >, >="))
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Why a constraint's text could not be read.
public struct ConstraintSyntaxError: Error, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "'\(text)' \(problem)" }
}
