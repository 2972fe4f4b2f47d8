/// Why a given parameter set does not fit a search space: an unknown name, a value outside its range, a missing
/// active parameter, or one given while its `when:` condition is false. Its description says which and what is allowed.
public struct ParameterProblem: Error, Equatable, CustomStringConvertible {
    /// The parameter the problem is about.
    public var name: String
    public var message: String

    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }

    public var description: String { "'\(name)' \(message)" }
}

extension SearchSpace {
    /// `values` made exact for this space (an integer given for a float parameter becomes a float, `64.0` for an
    /// integer one becomes `64`, a number for a categorical becomes the matching choice), or the first problem.
    ///
    /// Every active parameter must be given, inside its distribution; names the space does not have, and parameters
    /// whose `when:` condition is false, are refused. What `forage enqueue` and a spec's `enqueue:` list accept.
    public func exactParameters(_ values: ParameterSet) throws(ParameterProblem) -> ParameterSet {
        for name in values.names where self[name] == nil {
            let hint = Self.nearest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ParameterProblem(name: name, message: "is not a parameter of the search space\(hint); it has \(names.joined(separator: ", "))")
        }
        var exact = ParameterSet()
        for parameter in parameters {
            let active = parameter.isActive(given: exact)
            guard let given = values[parameter.name] else {
                if active { throw ParameterProblem(name: parameter.name, message: "is missing: give a value \(parameter.distribution.allowedText)") }
                continue
            }
            guard active else {
                let condition = parameter.condition.sorted { $0.key < $1.key }
                    .map { "\($0.key) in [\($0.value.map(\.description).joined(separator: ", "))]" }.joined(separator: " and ")
                throw ParameterProblem(name: parameter.name, message: "is inactive for these values (it exists only when \(condition)); leave it out")
            }
            let value = parameter.distribution.exact(given)
            guard parameter.distribution.contains(value) else {
                throw ParameterProblem(name: parameter.name, message: "is \(given.jsonText), outside the space: allowed \(parameter.distribution.allowedText)")
            }
            exact[parameter.name] = value
        }
        return exact
    }

    /// The name nearest to a typo (at most a third of its letters apart), if any.
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
            var row = Array(0...b.count)
            for i in 1...a.count {
                var previous = row[0]
                row[0] = i
                for j in 1...b.count {
                    let saved = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = saved
                }
            }
            return row[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, word.count / 3) else { return nil }
        return best.0
    }
}

extension Distribution {
    /// `value` in this distribution's own type, where it means the same number (see `SearchSpace.exactParameters`).
    public func exact(_ value: ParameterValue) -> ParameterValue {
        switch (self, value) {
        case (.float, .int(let number)): return .double(Double(number))
        case (.int, .double(let number)) where number == number.rounded() && abs(number) < 1e15: return .int(Int(number))
        case (.categorical(let choices), _): return choices.first { $0 == value } ?? choices.first { $0.matches(value) } ?? value
        default: return value
        }
    }

    /// What the distribution allows, for messages: `a number in [0.0001, 0.3]`, `one of relu, tanh`.
    public var allowedText: String {
        switch self {
        case .float(let low, let high, let log, let step):
            return "a number in [\(low), \(high)]" + (step.map { " on steps of \($0)" } ?? "") + (log ? " (log scale)" : "")
        case .int(let low, let high, _, let step):
            return "an integer in [\(low), \(high)]" + (step > 1 ? " on steps of \(step) from \(low)" : "")
        case .categorical(let choices):
            return "one of " + choices.map(\.jsonText).joined(separator: ", ")
        }
    }
}

extension ParameterValue {
    /// The value as JSON writes it (strings quoted).
    public var jsonText: String {
        switch self {
        case .string(let text): return JSONText.quoted(text)
        case .double(let number): return "\(number)"
        default: return description
        }
    }
}
