import ForageCore
import Testing

@testable import ForageSearch

/// The contract every sampler keeps, checked over each of them.
@Suite struct SamplerContractTests {
    /// One row of the table: a registered sampler (by spec name) with options; `seeded` is false for samplers
    /// without randomness. Adding a sampler adds one row here.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var algorithm: String
        var seeded: Bool
        var options: AlgorithmOptions

        init(_ algorithm: String, name: String? = nil, seeded: Bool = true, options: AlgorithmOptions = [:]) {
            self.algorithm = algorithm
            self.name = name ?? algorithm
            self.seeded = seeded
            self.options = options
        }

        func make(_ seed: UInt64) throws -> any Sampler {
            try SamplerRegistry.make(SearcherSpec(algorithm: algorithm, seed: seed, options: options), space: TestSupport.mixedSpace)
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case("random"),
        Case("grid", seeded: false, options: ["points": .int(3)]),
        Case("sobol"),
        Case("sobol", name: "sobol-unscrambled", seeded: false, options: ["scramble": .bool(false)]),
        Case("tpe", options: ["n_startup": .int(5), "multivariate": .bool(false)]),
        Case("tpe", name: "tpe-multivariate", options: ["n_startup": .int(5), "multivariate": .bool(true)]),
        Case("cmaes", options: ["popsize": .int(4)]),
        Case("gp", options: ["n_startup": .int(5), "n_candidates": .int(64)]),
        Case("cfo"),
        Case("nsga2", options: ["population_size": .int(6)]),
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

    @Test func everyRegisteredSamplerHasARowAndBuildsWithDefaults() throws {
        for entry in SamplerRegistry.entries {
            #expect(Self.cases.contains { $0.algorithm == entry.name }, "\(entry.name) has no row in the contract table")
            let sampler = try SamplerRegistry.make(SearcherSpec(algorithm: entry.name, seed: 1), space: TestSupport.mixedSpace)
            let params = sampler.suggest(index: 0, space: TestSupport.mixedSpace, history: TrialHistory(objective: TestSupport.objective))
            #expect(params.map(TestSupport.mixedSpace.isValid) == true, "\(entry.name)")
        }
        #expect(Set(SamplerRegistry.names).count == SamplerRegistry.entries.count, "spec names are unique")
        #expect(throws: SamplerError.self) {
            try SamplerRegistry.make(SearcherSpec(algorithm: "tpe", options: ["gamma": .double(0)]), space: TestSupport.mixedSpace)
        }
        #expect(throws: SamplerError.self) { try SamplerRegistry.make(SearcherSpec(algorithm: "annealing"), space: TestSupport.mixedSpace) }
    }
}
