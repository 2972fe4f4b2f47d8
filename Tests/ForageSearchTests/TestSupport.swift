import ForageCore
@testable import ForageSearch

/// Spaces and histories shared by the search tests.
enum TestSupport {
    static let objective = Objective(metric: "value", direction: .minimize)

    /// A mixed space with every kind of distribution and a conditional child (`l2` only when `model` is `b`).
    static let mixedSpace = SearchSpace([
        Parameter(name: "model", distribution: .categorical(choices: [.string("a"), .string("b")])),
        Parameter(name: "lr", distribution: .float(low: 1e-4, high: 1e-1, log: true, step: nil)),
        Parameter(name: "layers", distribution: .int(low: 1, high: 4, log: false, step: 1)),
        Parameter(name: "hidden", distribution: .int(low: 16, high: 256, log: true, step: 1)),
        Parameter(name: "momentum", distribution: .float(low: 0, high: 0.9, log: false, step: 0.1)),
        Parameter(
            name: "l2", distribution: .float(low: 1e-6, high: 1e-1, log: true, step: nil), condition: ["model": [.string("b")]]),
        Parameter(name: "x", distribution: .float(low: -5, high: 5, log: false, step: nil)),
    ])

    /// A made-up objective over `mixedSpace`.
    static func mixedObjective(_ p: ParameterSet) -> Double {
        let numbers = p.numbers
        var value = (numbers["x"] ?? 0) * (numbers["x"] ?? 0)
        value += abs((numbers["lr"].map { _log10($0) } ?? 0) + 2)
        value += Double(numbers["layers"] ?? 0) * 0.1 + (numbers["momentum"] ?? 0)
        if p["model"] == .string("b") { value -= 0.5 }
        return value
    }

    private static func _log10(_ x: Double) -> Double {
        var e = 0.0
        var y = x
        while y < 1 { y *= 10; e -= 1 }
        return e + (y - 1) / 9
    }

    /// Runs `trials` sequential trials of `sampler` on `space` and returns the suggestions and the final history.
    static func run(
        _ sampler: any Sampler, space: SearchSpace, trials: Int, objective: (ParameterSet) -> Double
    ) -> (suggestions: [ParameterSet], history: TrialHistory) {
        var history = TrialHistory(objective: Self.objective)
        var suggestions: [ParameterSet] = []
        for number in 0..<trials {
            guard let params = sampler.suggest(index: number, space: space, history: history) else { break }
            suggestions.append(params)
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: objective(params)))
        }
        return (suggestions, history)
    }

    /// A history of trials (number i with the given intermediate values) for scheduler tests.
    static func history(
        _ curves: [[Int: Double]], states: [TrialState]? = nil, direction: Direction = .minimize
    ) -> TrialHistory {
        var trials: [TrialSnapshot] = []
        for (number, curve) in curves.enumerated() {
            let state = states?[number] ?? .completed
            let last = curve.keys.max().flatMap { curve[$0] }
            trials.append(TrialSnapshot(
                number: number, state: state, params: ParameterSet(), value: state == .running ? nil : last, intermediate: curve))
        }
        return TrialHistory(objective: Objective(metric: "value", direction: direction), trials: trials)
    }
}
