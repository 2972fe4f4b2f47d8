import Foundation
import ForageCore
import Testing

@testable import ForageSearch

@Suite struct CMAESSamplerTests {
    static func cube(_ n: Int, _ low: Double, _ high: Double) -> SearchSpace {
        SearchSpace((0..<n).map { Parameter(name: "x\($0)", distribution: .float(low: low, high: high, log: false, step: nil)) })
    }

    static func sphere(_ p: ParameterSet) -> Double {
        p.numbers.values.reduce(0) { $0 + ($1 - 1) * ($1 - 1) }
    }

    @Test func convergesOnAShiftedSphereFarBetterThanRandom() {
        let space = Self.cube(4, -5, 5)
        let (_, cma) = TestSupport.run(CMAESSampler(seed: 3, restarts: false), space: space, trials: 240, objective: Self.sphere)
        let (_, random) = TestSupport.run(RandomSampler(seed: 3), space: space, trials: 240, objective: Self.sphere)
        let cmaBest = cma.best?.value ?? .infinity
        let randomBest = random.best?.value ?? .infinity
        #expect(cmaBest < 1e-2, "cmaes \(cmaBest)")
        #expect(cmaBest < randomBest / 100, "cmaes \(cmaBest) vs random \(randomBest)")
    }

    @Test func theReplayedStepSizeShrinksAsTheSearchConverges() {
        let space = Self.cube(3, -5, 5)
        let sampler = CMAESSampler(seed: 1, restarts: false)
        let (_, history) = TestSupport.run(sampler, space: space, trials: 150, objective: Self.sphere)
        let state = sampler.replay(axes: space.parameters, history: history)
        #expect(state.generation == 150 / state.populationSize)
        #expect(state.sigma < 1.0 / 6 / 10)
        #expect(state.mean.allSatisfy { abs($0 - 0.6) < 0.01 }, "\(state.mean)")
    }

    @Test func ipopRestartsDoubleThePopulationOnceTheSearchStagnates() {
        // A flat function stalls immediately: the flat-values criterion fires and the population doubles.
        let space = Self.cube(2, 0, 1)
        let sampler = CMAESSampler(seed: 2, populationSize: 4, restarts: true)
        let (_, history) = TestSupport.run(sampler, space: space, trials: 200, objective: { _ in 1 })
        #expect(sampler.replay(axes: space.parameters, history: history).populationSize >= 8)
        let withoutRestarts = CMAESSampler(seed: 2, populationSize: 4, restarts: false)
        #expect(withoutRestarts.replay(axes: space.parameters, history: history).populationSize == 4)
    }

    @Test func categoricalsAreDrawnAndIntegersStayInRange() {
        let space = SearchSpace([
            Parameter(name: "n", distribution: .int(low: 1, high: 9, log: false, step: 1)),
            Parameter(name: "lr", distribution: .float(low: 1e-4, high: 1, log: true, step: nil)),
            Parameter(name: "act", distribution: .categorical(choices: [.string("relu"), .string("tanh")])),
        ])
        let (suggestions, _) = TestSupport.run(CMAESSampler(seed: 4), space: space, trials: 40) { p in
            abs(Double(p.numbers["n"] ?? 0) - 4) + abs((p.numbers["lr"] ?? 0) - 0.01)
        }
        #expect(suggestions.allSatisfy(space.isValid))
        #expect(Set(suggestions.compactMap { $0["act"] }).count == 2)
    }
}
