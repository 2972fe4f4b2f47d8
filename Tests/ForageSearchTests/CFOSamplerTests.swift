import ForageCore
import Foundation
import Testing

@testable import ForageSearch

/// The cost-frugal searcher: cheap start points per family first, then local steps that move cost only where it pays.
@Suite struct CFOSamplerTests {
    static let familySpace = SearchSpace([
        Parameter(name: "model", distribution: .categorical(choices: [.string("cheap"), .string("dear")])),
        Parameter(name: "rounds", distribution: .int(low: 4, high: 2000, log: true, step: 1), condition: ["model": [.string("dear")]]),
        Parameter(name: "lr", distribution: .float(low: 0.01, high: 1, log: true, step: nil), condition: ["model": [.string("dear")]]),
        Parameter(name: "alpha", distribution: .float(low: 0, high: 10, log: false, step: nil), condition: ["model": [.string("cheap")]]),
    ])

    @Test func eachFamilyStartsAtItsCheapPointInListOrder() {
        let sampler = CFOSampler(seed: 1)
        var history = TrialHistory(objective: TestSupport.objective)
        let first = sampler.suggest(index: 0, space: Self.familySpace, history: history)
        #expect(first == ParameterSet(["model": .string("cheap"), "alpha": .double(5)]))
        // The first trial is still running: the next draw starts the other family.
        history.upsert(TrialSnapshot(number: 0, state: .running, params: first ?? ParameterSet()))
        let second = sampler.suggest(index: 1, space: Self.familySpace, history: history)
        #expect(second?["model"] == .string("dear"))
        #expect(second?["rounds"] == .int(4))
        let lr = second?["lr"]?.doubleValue ?? 0
        #expect(abs(lr - 0.1) < 1e-9, "the geometric middle of [0.01, 1]")
    }

    @Test func aCostParameterGrowsOnlyAsFarAsItPays() {
        let space = SearchSpace([Parameter(name: "rounds", distribution: .int(low: 4, high: 2000, log: true, step: 1))])
        // Best at 100 rounds; every step past it is worse.
        let (suggestions, history) = TestSupport.run(CFOSampler(seed: 3), space: space, trials: 40) { p in
            abs(log(Double(p["rounds"]?.doubleValue ?? 1)) - log(100))
        }
        #expect(suggestions.first?["rounds"] == .int(4))
        let best = Int(history.best?.params["rounds"]?.doubleValue ?? 0)
        #expect((70...140).contains(best), "best rounds \(best)")
        // Frugal: most proposals stay below twice the optimum.
        let costly = suggestions.filter { ($0["rounds"]?.doubleValue ?? 0) > 200 }.count
        #expect(costly < 10, "\(costly) of 40 proposals above 200 rounds")
    }

    @Test func localStepsConvergeOnASmoothObjective() {
        let space = SearchSpace([
            Parameter(name: "x", distribution: .float(low: -5, high: 5, log: false, step: nil)),
            Parameter(name: "y", distribution: .float(low: -5, high: 5, log: false, step: nil)),
        ])
        let (_, history) = TestSupport.run(CFOSampler(seed: 5), space: space, trials: 80) { p in
            let x = p["x"]?.doubleValue ?? 0
            let y = p["y"]?.doubleValue ?? 0
            return (x - 1) * (x - 1) + (y + 2) * (y + 2)
        }
        let value = history.best?.value ?? .infinity
        #expect(value < 0.1, "best \(value) from a start of 5")
    }

    @Test func theLeadingFamilyGetsTwoDrawsInThree() {
        // `dear` is always better: after the start points, two in three draws go to it.
        let (suggestions, _) = TestSupport.run(CFOSampler(seed: 2), space: Self.familySpace, trials: 32) { p in
            p["model"] == .string("dear") ? 1 : 2
        }
        let dear = suggestions.dropFirst(2).filter { $0["model"] == .string("dear") }.count
        #expect(dear == 20, "\(dear) of 30")
    }

    @Test func aSettledSearchRestartsAtFrugalRandomPointsInsteadOfRepeatingItself() {
        let space = SearchSpace([
            Parameter(name: "rounds", distribution: .int(low: 4, high: 2000, log: true, step: 1)),
            Parameter(name: "lr", distribution: .float(low: 0.01, high: 1, log: true, step: nil)),
        ])
        // Nothing beats the start point (4 rounds): the steps halve until the search settles after 2 × 2 × 7 = 28 proposals.
        let (suggestions, history) = TestSupport.run(CFOSampler(seed: 4), space: space, trials: 90) { _ in 1 }
        #expect(history.best?.number == 0)
        let late = Array(suggestions.dropFirst(60))
        // No repeats: every restart is a new point...
        #expect(Set(late.map { "\($0)" }).count == late.count, "\(late)")
        // ...no dearer than the best trial allows (4 rounds is the low end: up to a tenth of the log range, 7 rounds).
        #expect(late.allSatisfy { ($0["rounds"]?.doubleValue ?? 99) <= 7 }, "\(late.map { $0["rounds"] ?? .int(-1) })")
        // ...with the other parameters anywhere in their range.
        let rates = late.compactMap { $0["lr"]?.doubleValue }
        #expect((rates.min() ?? 1) < 0.05 && (rates.max() ?? 0) > 0.3, "\(rates)")
    }

    @Test func lowCostMustNameParametersOfTheSpace() {
        #expect(throws: SamplerError.self) {
            try SamplerRegistry.make(SearcherSpec(algorithm: "cfo", seed: 0, options: ["low_cost": .string("rounds,depth")]), space: Self.familySpace)
        }
    }
}
