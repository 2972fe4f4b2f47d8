import Foundation
import ForageCore
import Testing

@testable import ForageSearch

@Suite struct GPSamplerTests {
    static let branin = SearchSpace([
        Parameter(name: "x", distribution: .float(low: -5, high: 10, log: false, step: nil)),
        Parameter(name: "y", distribution: .float(low: 0, high: 15, log: false, step: nil)),
    ])

    static func braninValue(_ p: ParameterSet) -> Double {
        BenchmarkFunction.branin(p.numbers["x"] ?? 0, p.numbers["y"] ?? 0)
    }

    @Test func findsBraninsMinimumWithinThirtyTrials() {
        var gp: [Double] = []
        var random: [Double] = []
        for seed: UInt64 in 0..<2 {
            let (_, a) = TestSupport.run(GPSampler(seed: seed, candidates: 128), space: Self.branin, trials: 30, objective: Self.braninValue)
            let (_, b) = TestSupport.run(RandomSampler(seed: seed), space: Self.branin, trials: 30, objective: Self.braninValue)
            gp.append((a.best?.value ?? .infinity) - 0.397_887)
            random.append((b.best?.value ?? .infinity) - 0.397_887)
        }
        #expect(gp.allSatisfy { $0 < 0.1 }, "gp regret \(gp), random \(random)")
        #expect(gp.reduce(0, +) < random.reduce(0, +) / 5)
    }

    @Test func startupPointsAreTheSobolSequence() {
        let (suggestions, _) = TestSupport.run(GPSampler(seed: 9), space: Self.branin, trials: 10, objective: Self.braninValue)
        let (sobol, _) = TestSupport.run(SobolSampler(seed: 9), space: Self.branin, trials: 10, objective: Self.braninValue)
        #expect(suggestions == sobol)
    }

    @Test func aRunningTrialPushesTheNextSuggestionAway() {
        let (_, history) = TestSupport.run(GPSampler(seed: 1, candidates: 64), space: Self.branin, trials: 12, objective: Self.braninValue)
        let sampler = GPSampler(seed: 1, candidates: 64)
        guard let first = sampler.suggest(index: 12, space: Self.branin, history: history) else {
            Issue.record("no suggestion")
            return
        }
        var pending = history
        pending.upsert(TrialSnapshot(number: 12, state: .running, params: first))
        let second = sampler.suggest(index: 12, space: Self.branin, history: pending)
        #expect(second != first)
    }

    @Test func theLogExpectedImprovementIsSmoothDeepInTheTail() {
        for z in stride(from: -40.0, through: 5, by: 0.5) {
            let (value, slope) = LogExpectedImprovement.logH(z)
            let (next, _) = LogExpectedImprovement.logH(z + 1e-5)
            #expect(value.isFinite && slope.isFinite && slope > 0)
            #expect(abs((next - value) / 1e-5 - slope) < 0.02 * max(1, abs(slope)), "z \(z)")
        }
    }

    @Test func theMarginalLikelihoodGradientMatchesFiniteDifferences() {
        var rng = SplitMix64(seed: 4)
        let points = (0..<12).map { _ in [rng.nextUnit(), rng.nextUnit(), Double(Int(rng.nextUnit() * 3))] }
        let values = points.map { sin(6 * $0[0]) + $0[1] * $0[1] + 0.3 * $0[2] }
        let categorical = [false, false, true]
        let differences = GPModel.squaredDifferences(points, categorical: categorical)
        let theta = [0.3, -0.2, 0.1, 0.2, log(0.05)]
        var gradient = [Double](repeating: 0, count: theta.count)
        let base = GPModel.negativeLogPosterior(theta: theta, differences: differences, values: values, count: 12, gradient: &gradient)
        for k in theta.indices {
            var shifted = theta
            shifted[k] += 1e-6
            var scratch = gradient
            let moved = GPModel.negativeLogPosterior(theta: shifted, differences: differences, values: values, count: 12, gradient: &scratch)
            #expect(abs((moved - base) / 1e-6 - gradient[k]) < 1e-3 * max(1, abs(gradient[k])), "θ\(k)")
        }
    }

    @Test func aLongHistoryRefitsOnlyEveryFewTrialsAndTheCacheNeverChangesASuggestion() {
        #expect([100, 101, 128, 129, 131, 132, 500, 511, 512].map(GPSampler.fitPrefix) == [100, 100, 128, 128, 128, 132, 496, 496, 512])
        var rng = SplitMix64(seed: 5)
        let trials = (0..<131).map { number -> TrialSnapshot in
            let params = ParameterSet(["x": .double(-5 + 15 * rng.nextUnit()), "y": .double(15 * rng.nextUnit())])
            return TrialSnapshot(number: number, state: .completed, params: params, value: Self.braninValue(params))
        }
        let warm = GPSampler(seed: 3, candidates: 64)
        let history = TrialHistory(objective: TestSupport.objective, trials: Array(trials.prefix(130)))
        // The first suggestion fills the cache for the prefix of 128 trials; the next one (131 trials) reuses it.
        _ = warm.suggest(index: 130, space: Self.branin, history: history)
        let longer = TrialHistory(objective: TestSupport.objective, trials: trials)
        let cached = warm.suggest(index: 131, space: Self.branin, history: longer)
        let fresh = GPSampler(seed: 3, candidates: 64).suggest(index: 131, space: Self.branin, history: longer)
        #expect(cached == fresh)
        #expect(cached != nil)
    }
}
