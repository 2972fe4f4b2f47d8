import ForageCore
import Testing

@testable import ForageSearch

/// The contract every sampler keeps, checked over each of them.
@Suite struct SamplerContractTests {
    /// A named way to build a sampler from a seed; `seeded` is false for samplers without randomness.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var seeded: Bool
        var make: @Sendable (UInt64) throws -> any Sampler
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "random", seeded: true) { RandomSampler(seed: $0) },
        Case(name: "grid", seeded: false) { _ in try GridSampler(space: TestSupport.mixedSpace, points: 3) },
        Case(name: "sobol", seeded: true) { SobolSampler(seed: $0, scramble: true) },
        Case(name: "sobol-unscrambled", seeded: false) { seed in SobolSampler(seed: seed, scramble: false) },
        Case(name: "tpe", seeded: true) { try TPESampler(seed: $0, options: TPEOptions(startupTrials: 5, multivariate: false)) },
        Case(name: "tpe-multivariate", seeded: true) {
            try TPESampler(seed: $0, options: TPEOptions(startupTrials: 5, multivariate: true))
        },
    ]

    static let trials = 30

    @Test(arguments: cases) func suggestionsAreValidAndConditionalParametersOnlyWhenActive(_ c: Case) throws {
        let (suggestions, _) = TestSupport.run(
            try c.make(1), space: TestSupport.mixedSpace, trials: Self.trials, objective: TestSupport.mixedObjective)
        #expect(suggestions.count == Self.trials)
        for params in suggestions {
            #expect(TestSupport.mixedSpace.isValid(params), "\(c.name): \(params.values)")
            #expect((params["l2"] != nil) == (params["model"] == .string("b")))
        }
        // Both branches of the condition are explored (the grid walks `model` last-to-change, so not in 30 draws).
        guard c.name != "grid" else { return }
        #expect(suggestions.contains { $0["l2"] != nil })
        #expect(suggestions.contains { $0["l2"] == nil })
    }

    @Test(arguments: cases) func sameSeedGivesTheSameSequence(_ c: Case) throws {
        let first = TestSupport.run(try c.make(7), space: TestSupport.mixedSpace, trials: Self.trials, objective: TestSupport.mixedObjective)
        let second = TestSupport.run(try c.make(7), space: TestSupport.mixedSpace, trials: Self.trials, objective: TestSupport.mixedObjective)
        #expect(first.suggestions == second.suggestions)
    }

    @Test(arguments: cases.filter(\.seeded)) func differentSeedsGiveDifferentSequences(_ c: Case) throws {
        let first = TestSupport.run(try c.make(7), space: TestSupport.mixedSpace, trials: Self.trials, objective: TestSupport.mixedObjective)
        let second = TestSupport.run(try c.make(8), space: TestSupport.mixedSpace, trials: Self.trials, objective: TestSupport.mixedObjective)
        #expect(first.suggestions != second.suggestions)
    }

    @Test(arguments: cases) func suggestionIsAFunctionOfIndexAndHistory(_ c: Case) throws {
        let sampler = try c.make(3)
        let (_, history) = TestSupport.run(sampler, space: TestSupport.mixedSpace, trials: 20, objective: TestSupport.mixedObjective)
        for index in [20, 21, 25] {
            let a = sampler.suggest(index: index, space: TestSupport.mixedSpace, history: history)
            let b = sampler.suggest(index: index, space: TestSupport.mixedSpace, history: history)
            #expect(a == b)
        }
        // A fresh sampler with the same seed agrees too: nothing is remembered between calls.
        let fresh = try c.make(3)
        #expect(fresh.suggest(index: 20, space: TestSupport.mixedSpace, history: history)
            == sampler.suggest(index: 20, space: TestSupport.mixedSpace, history: history))
    }

    @Test func factoryBuildsEverySearcher() throws {
        for algorithm in SearcherSpec.Algorithm.allCases {
            let sampler = try SamplerFactory.make(SearcherSpec(algorithm: algorithm, seed: 1), space: TestSupport.mixedSpace)
            let params = sampler.suggest(index: 0, space: TestSupport.mixedSpace, history: TrialHistory(objective: TestSupport.objective))
            #expect(params.map(TestSupport.mixedSpace.isValid) == true, "\(algorithm)")
        }
        #expect(throws: SamplerError.self) {
            try SamplerFactory.make(SearcherSpec(algorithm: .tpe, tpe: TPEOptions(gamma: 0)), space: TestSupport.mixedSpace)
        }
    }
}
