import Foundation
import ForageCore
import Testing

@testable import ForageSearch

@Suite struct TPESamplerTests {
    static let sphere = SearchSpace([
        Parameter(name: "x0", distribution: .float(low: -5, high: 5, log: false, step: nil)),
        Parameter(name: "x1", distribution: .float(low: -5, high: 5, log: false, step: nil)),
    ])

    static func sphereValue(_ p: ParameterSet) -> Double {
        let x = p.numbers
        let a = x["x0"] ?? 0
        let b = (x["x1"] ?? 0) - 1
        return a * a + b * b
    }

    static func best(_ sampler: any Sampler, trials: Int = 60) -> Double {
        let (_, history) = TestSupport.run(sampler, space: sphere, trials: trials, objective: sphereValue)
        return history.best?.value ?? .infinity
    }

    @Test(arguments: [false, true]) func beatsRandomSearchOnASphere(multivariate: Bool) throws {
        var tpe = 0.0
        var random = 0.0
        for seed: UInt64 in 0..<4 {
            tpe += Self.best(try TPESampler(seed: seed, options: TPEOptions(multivariate: multivariate)))
            random += Self.best(RandomSampler(seed: seed))
        }
        #expect(tpe < random / 2, "tpe \(tpe / 4) vs random \(random / 4)")
    }

    @Test func startupDrawsAreTheRandomSamplersDraws() throws {
        let tpe = try TPESampler(seed: 5, options: TPEOptions(startupTrials: 10))
        let random = RandomSampler(seed: 5)
        let (suggestions, _) = TestSupport.run(tpe, space: Self.sphere, trials: 10, objective: Self.sphereValue)
        let (expected, _) = TestSupport.run(random, space: Self.sphere, trials: 10, objective: Self.sphereValue)
        #expect(suggestions == expected)
    }

    @Test func goodSetIsTheBestTenPercentCappedAt25() {
        #expect(TPESplit.goodCount(finished: 10, gamma: 0.1, cap: 25) == 1)
        #expect(TPESplit.goodCount(finished: 101, gamma: 0.1, cap: 25) == 11)
        #expect(TPESplit.goodCount(finished: 10_000, gamma: 0.1, cap: 25) == 25)
        #expect(TPESplit.rampWeight(position: 0, count: 20) == 1)
        #expect(TPESplit.rampWeight(position: 0, count: 100) == 0.01)
        #expect(TPESplit.rampWeight(position: 99, count: 100) == 1)
    }

    @Test func splitIsBoundedAndRunningTrialsAreLiars() {
        var trials: [TrialSnapshot] = []
        for number in 0..<3_000 {
            trials.append(TrialSnapshot(number: number, state: .completed, params: ParameterSet(), value: Double(number % 97)))
        }
        trials.append(TrialSnapshot(number: 3_000, state: .running, params: ParameterSet()))
        let history = TrialHistory(objective: TestSupport.objective, trials: trials)
        let split = TPESplit(history: history, gamma: 0.1, constantLiar: true, maxGood: 25, maxBad: 500, largeHistory: 5_000)
        #expect(split.finished == 3_000)
        #expect(split.good.count == 25)
        #expect(split.good.allSatisfy { history.trials[$0].value == 0 })
        #expect(split.bad.count == 500)
        #expect(split.bad.last == 3_000)  // the running trial, newest
        #expect(Set(split.bad).isDisjoint(with: split.good))
        // Beyond `largeHistory` (1 000 by default) finished trials, 100 bad ones, still ending with the newest.
        let large = TPESplit(history: history, gamma: 0.1, constantLiar: true, maxGood: 25, maxBad: 500)
        #expect(large.bad.count == 100 && large.bad.last == 3_000 && large.good == split.good)
        let withoutLiar = TPESplit(history: history, gamma: 0.1, constantLiar: false, maxGood: 25, maxBad: 500)
        #expect(!withoutLiar.bad.contains(3_000))
    }

    @Test func maximisationIsHandled() throws {
        let space = Self.sphere
        var history = TrialHistory(objective: Objective(metric: "score", direction: .maximize))
        let sampler = try TPESampler(seed: 3)
        for number in 0..<40 {
            guard let params = sampler.suggest(index: number, space: space, history: history) else { break }
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: -Self.sphereValue(params)))
        }
        let best = history.best?.value ?? -.infinity
        #expect(best > -1, "\(best)")
    }

    /// The candidate choice skips most of g's exponentials with a bound; the bound must hold and the single-point
    /// density must equal the batch one, for continuous, discrete and categorical dimensions.
    @Test func densityBoundsHoldForEveryKind() throws {
        let distributions: [Distribution] = [
            .float(low: 0, high: 1, log: false, step: nil), .int(low: 1, high: 9, log: false, step: 1),
            .categorical(choices: [.string("a"), .string("b"), .string("c")]),
        ]
        let axes = try distributions.map { try #require(TPEAxis($0)) }
        var rng = SplitMix64(seed: 11)
        func point() -> [Double] { [rng.nextUnit(), Double(1 + Int(rng.next() % 9)), Double(rng.next() % 3)] }
        for dimensions in [[0], [1], [0, 1, 2]] {
            let chosen = dimensions.map { axes[$0] }
            var observations: [Double] = []
            for _ in 0..<30 { let p = point(); observations += dimensions.map { p[$0] } }
            let estimator = ParzenEstimator(
                axes: chosen, observations: observations, weights: (0..<30).map { 1 + Double($0 % 4) }, priorWeight: 1,
                bandwidth: .neighbour(scale: 1))
            let points = (0..<20).map { _ in let p = point(); return dimensions.map { p[$0] } }
            let densities = estimator.logDensities(points)
            let floors = estimator.largestLogTerms(points)
            for (k, p) in points.enumerated() {
                #expect(floors[k] <= densities[k])
                #expect(densities[k] <= floors[k] + Foundation.log(Double(estimator.kernels)) + 1e-12)
                #expect(estimator.logDensity(p) == densities[k])
            }
        }
    }
}
