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
        let state = sampler.replay(axes: space.parameters, history: history).state
        #expect(state.generation == 150 / state.populationSize)
        #expect(state.sigma < 1.0 / 6 / 10)
        #expect(state.mean.allSatisfy { abs($0 - 0.6) < 0.01 }, "\(state.mean)")
    }

    @Test func ipopRestartsDoubleThePopulationOnceTheSearchStagnates() {
        // A flat function stalls immediately: the flat-values criterion fires and the population doubles.
        let space = Self.cube(2, 0, 1)
        let sampler = CMAESSampler(seed: 2, populationSize: 4, restarts: true)
        let (_, history) = TestSupport.run(sampler, space: space, trials: 200, objective: { _ in 1 })
        #expect(sampler.replay(axes: space.parameters, history: history).state.populationSize >= 8)
        let withoutRestarts = CMAESSampler(seed: 2, populationSize: 4, restarts: false)
        #expect(withoutRestarts.replay(axes: space.parameters, history: history).state.populationSize == 4)
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

    /// The steps `(x − mean) / σ` of the trials suggested from one state (unit-cube coordinates, `C = I` at the start).
    static func steps(_ suggestions: [ParameterSet], mean: Double, sigma: Double, low: Double, high: Double) -> [[Double]] {
        suggestions.map { p in (0..<p.numbers.count).map { (((p.numbers["x\($0)"] ?? 0) - low) / (high - low) - mean) / sigma } }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func oneBlockOfOrthogonalDrawsIsMutuallyOrthogonalAndEachSlotStandsAlone() {
        let vectors = (0..<6).map { OrthogonalDraws.vector(slot: $0, dimensions: 6, seed: 9, key: 3) }
        for i in 0..<6 {
            for j in 0..<i {
                let cosine = Self.dot(vectors[i], vectors[j]) / (Self.dot(vectors[i], vectors[i]) * Self.dot(vectors[j], vectors[j])).squareRoot()
                #expect(abs(cosine) < 1e-9, "slots \(i), \(j): \(cosine)")
            }
        }
        // A slot's vector is the same however many others are drawn; the next block and another generation differ.
        #expect(OrthogonalDraws.vector(slot: 4, dimensions: 6, seed: 9, key: 3) == vectors[4])
        let nextBlock = OrthogonalDraws.vector(slot: 6, dimensions: 6, seed: 9, key: 3)
        #expect(abs(Self.dot(nextBlock, vectors[0])) > 1e-6)
        #expect(OrthogonalDraws.vector(slot: 0, dimensions: 6, seed: 9, key: 4) != vectors[0])
    }

    @Test func aGenerationsStepsAreOrthogonalAndAFailedTrialDoesNotRepeatOne() {
        // σ₀ = 0.01 from the centre keeps every first-generation point inside the cube, so none is redrawn.
        let space = Self.cube(5, -5, 5)
        let sampler = CMAESSampler(seed: 5, sigma0: 0.01, populationSize: 4, sampling: .orthogonal)
        var history = TrialHistory(objective: TestSupport.objective)
        var suggestions: [ParameterSet] = []
        for number in 0..<5 {
            guard let params = sampler.suggest(index: number, space: space, history: history) else { break }
            suggestions.append(params)
            // Trial 1 fails: it takes a position in the generation, so the next trial gets a new direction.
            let failed = number == 1
            history.upsert(TrialSnapshot(number: number, state: failed ? .failed : .completed, params: params, value: failed ? nil : Self.sphere(params)))
        }
        #expect(sampler.replay(axes: space.parameters, history: history).state.generation == 1)
        let steps = Self.steps(suggestions, mean: 0.5, sigma: 0.01, low: -5, high: 5)
        for i in 0..<5 {
            for j in 0..<i {
                #expect(abs(Self.dot(steps[i], steps[j])) < 1e-6, "trials \(i), \(j)")
            }
        }
        // Drawn independently, the same trials' steps are not orthogonal.
        let (iid, _) = TestSupport.run(CMAESSampler(seed: 5, sigma0: 0.01, populationSize: 4, sampling: .iid), space: space, trials: 4, objective: Self.sphere)
        let iidSteps = Self.steps(iid, mean: 0.5, sigma: 0.01, low: -5, high: 5)
        #expect(abs(Self.dot(iidSteps[0], iidSteps[1])) > 1e-3)
    }

    @Test func aRunningTrialTakesItsPositionSoParallelSuggestionsDiffer() {
        let space = Self.cube(3, 0, 1)
        let sampler = CMAESSampler(seed: 6, sigma0: 0.01, populationSize: 4, sampling: .orthogonal)
        var history = TrialHistory(objective: TestSupport.objective)
        let first = sampler.suggest(index: 0, space: space, history: history)
        history.upsert(TrialSnapshot(number: 0, state: .running, params: first ?? ParameterSet()))
        let second = sampler.suggest(index: 1, space: space, history: history)
        #expect(sampler.replay(axes: space.parameters, history: history).slot == 1)
        #expect(first != nil && first != second)
        let steps = Self.steps([first, second].compactMap { $0 }, mean: 0.5, sigma: 0.01, low: 0, high: 1)
        #expect(abs(Self.dot(steps[0], steps[1])) < 1e-6)
    }

    @Test func mirroredSamplingPairsOppositeStepsWithOrthogonalBases() {
        // σ₀ = 0.01 from the centre keeps every point inside the cube, so no pair is redrawn.
        let space = Self.cube(4, -5, 5)
        let (suggestions, _) = TestSupport.run(CMAESSampler(seed: 7, sigma0: 0.01, populationSize: 6), space: space, trials: 6, objective: Self.sphere)
        let steps = Self.steps(suggestions, mean: 0.5, sigma: 0.01, low: -5, high: 5)
        for j in 0..<3 {
            #expect(zip(steps[2 * j], steps[2 * j + 1]).allSatisfy { abs($0 + $1) < 1e-9 }, "pair \(j)")
            #expect(Self.dot(steps[2 * j], steps[2 * j]) > 1e-6)
        }
        // The pairs' base steps are mutually orthogonal (one block of n = 4).
        #expect(abs(Self.dot(steps[0], steps[2])) < 1e-6 && abs(Self.dot(steps[0], steps[4])) < 1e-6 && abs(Self.dot(steps[2], steps[4])) < 1e-6)
    }

    @Test func thePairedNormaliserIsMuEffectiveUnlessAPairIsSelectedTogether() {
        let state = CMAState(mean: [0.5, 0.5, 0.5], sigma: 0.1, populationSize: 6)
        let a = [0.3, -1.0, 0.2]
        let b = [1.1, 0.4, -0.7]
        let c = [-0.2, 0.5, 0.9]
        let minus: ([Double]) -> [Double] = { $0.map { -$0 } }
        // Best first. μ = 3: a pair split between selected and unselected counts as one selected point.
        let apart = CMAState.pairedMuEffective(steps: [a, b, c, minus(a), minus(b), minus(c)], weights: state.weights, mu: state.mu)
        #expect(abs(apart - state.muEffective) < 1e-12)
        // a and −a both selected: c = (w₁ − w₂, w₃), so the paired μ is 1 / ((w₁ − w₂)² + w₃²), above μ_eff.
        let together = CMAState.pairedMuEffective(steps: [a, minus(a), b, c, minus(b), minus(c)], weights: state.weights, mu: state.mu)
        let w = state.weights
        #expect(abs(together - 1 / (pow(w[0] - w[1], 2) + w[2] * w[2])) < 1e-12)
        #expect(together > state.muEffective)
    }

    @Test func underRandomSelectionMirroredPairsDoNotShrinkTheStepSize() {
        // Random values select mirrored pairs together as often as apart; with √μ_eff as the normaliser σ drifts down
        // (the flaw of plain mirroring), with the paired normaliser it holds as with independent draws.
        func drift(mirroredNormaliser: Bool) -> Double {
            var total = 0.0
            let runs = 30
            for run in 0..<runs {
                var rng = SplitMix64(seed: 11, stream: UInt64(run))
                var state = CMAState(mean: [Double](repeating: 0.5, count: 10), sigma: 1e-3)
                for _ in 0..<40 {
                    var generation: [(x: [Double], value: Double)] = []
                    for _ in 0..<(state.populationSize / 2) {
                        let y = state.step(from: (0..<10).map { _ in rng.nextGaussian() })
                        for sign in [1.0, -1.0] {
                            generation.append(((0..<10).map { state.mean[$0] + sign * state.sigma * y[$0] }, rng.nextUnit()))
                        }
                    }
                    state.tell(generation, mirrored: mirroredNormaliser)
                }
                total += log(state.sigma / 1e-3)
            }
            return total / Double(runs)
        }
        let corrected = drift(mirroredNormaliser: true)
        let plain = drift(mirroredNormaliser: false)
        #expect(corrected > -0.4, "corrected drift \(corrected)")
        #expect(plain < corrected - 0.5, "plain \(plain), corrected \(corrected)")
    }

    /// Runs `generations` generations of `state` on `f` (independent draws) and returns the final state and the best
    /// value seen.
    static func evolve(_ state: CMAState, generations: Int, seed: UInt64, _ f: ([Double]) -> Double) -> (CMAState, Double) {
        var state = state
        var rng = SplitMix64(seed: seed, stream: 0)
        var best = Double.infinity
        for _ in 0..<generations {
            let n = state.dimensions
            let generation = (0..<state.populationSize).map { _ -> (x: [Double], value: Double) in
                let y = state.step(from: (0..<n).map { _ in rng.nextGaussian() })
                let x = (0..<n).map { state.mean[$0] + state.sigma * y[$0] }
                return (x, f(x))
            }
            best = min(best, generation.map(\.value).min() ?? .infinity)
            state.tell(generation, mirrored: false)
        }
        return (state, best)
    }

    @Test func diagonalDecodingLearnsASeparableEllipsoidsScalesAndKeepsCACorrelationMatrix() {
        // f = Σ 10^(4i/(n−1)) (x_i − 0.3)²: the right sampling scales differ a hundredfold between x0 and x9.
        let n = 10
        let ellipsoid = { (x: [Double]) in (0..<n).reduce(0.0) { $0 + pow(10, 4 * Double($1) / Double(n - 1)) * pow(x[$1] - 0.3, 2) } }
        let start = [Double](repeating: 0.5, count: n)
        let (decoded, decodedBest) = Self.evolve(CMAState(mean: start, sigma: 1.0 / 6), generations: 150, seed: 5, ellipsoid)
        let (plain, plainBest) = Self.evolve(CMAState(mean: start, sigma: 1.0 / 6, diagonal: false), generations: 150, seed: 5, ellipsoid)
        #expect(decodedBest < plainBest / 100, "dd-CMA \(decodedBest), plain \(plainBest)")
        #expect(plain.scales.allSatisfy { $0 == 1 })
        // The learnt scales fall along the axes as 1/√a_i would (a tenfold drop from x0 to x9 at least), and C's
        // diagonal was moved into them.
        #expect(decoded.scales[0] > 10 * decoded.scales[n - 1], "\(decoded.scales)")
        for i in 0..<n { #expect(abs(decoded.covariance[i * n + i] - 1) < 1e-9) }
    }

    @Test func withoutDiagonalDecodingTheFirstGenerationIsTheSameAndLaterOnesDiffer() {
        let space = Self.cube(3, -5, 5)
        let (decoded, _) = TestSupport.run(CMAESSampler(seed: 7), space: space, trials: 60, objective: Self.sphere)
        let (plain, _) = TestSupport.run(CMAESSampler(seed: 7, diagonal: false), space: space, trials: 60, objective: Self.sphere)
        // The first generation is drawn before any update, so it is the same; later ones differ.
        let first = CMAState(mean: [0.5, 0.5, 0.5], sigma: 1.0 / 6).populationSize
        #expect(Array(decoded.prefix(first)) == Array(plain.prefix(first)))
        #expect(decoded != plain)
    }

    @Test(arguments: [Direction.minimize, .maximize])
    func whatTheReplayKeepsBetweenSuggestionsChangesNothing(direction: Direction) throws {
        // Out-of-order and failed trials, warm-start trials added midway, IPOP restarts (a coarse, soon flat
        // objective) and other histories: a reused sampler suggests what a fresh one does.
        let space = SearchSpace(Self.cube(3, -5, 5).parameters + [Parameter(name: "n", distribution: .int(low: 0, high: 9, log: false, step: 1))])
        let make = { CMAESSampler(seed: 9, populationSize: 4) }
        let reused = make()
        let value = { (p: ParameterSet) -> Double in
            let loss = (Self.sphere(p) / 50).rounded()
            return direction == .minimize ? loss : -loss
        }
        var rng = SplitMix64(seed: 4, stream: 0)
        let random = { (number: Int) -> TrialSnapshot in
            let params = space.assign { parameter, _ in parameter.distribution.value(atUnit: rng.nextUnit()) }
            return TrialSnapshot(number: number, state: .completed, params: params, value: value(params))
        }
        var history = TrialHistory(objective: Objective(metric: "loss", direction: direction), trials: (0..<5).map { random(-10 + $0) })
        for number in 0..<320 {
            let suggested = reused.suggest(index: number, space: space, history: history)
            #expect(suggested == make().suggest(index: number, space: space, history: history), "trial \(number)")
            guard let params = suggested else { break }
            history.upsert(TrialSnapshot(number: number, state: .running, params: params))
            let position = history.trials.count - 1
            if number % 3 != 0 { history.finish(number: number, state: .completed, value: value(params)) }
            if number % 3 == 2 {
                let earlier = history.trials[position - 2]
                history.finish(number: earlier.number, state: number % 9 == 8 ? .failed : .completed, value: value(earlier.params))
            }
            if number % 61 == 60 { history.upsert(random(-100 - number)) }
            if number % 47 == 46 {
                let other = TrialHistory(objective: history.objective, trials: history.trials)
                #expect(reused.suggest(index: number, space: space, history: other) == make().suggest(index: number, space: space, history: other))
            }
        }
        let axes = space.parameters
        #expect(reused.replay(axes: axes, history: history).run >= 1, "the objective should stall a run")
    }
}
