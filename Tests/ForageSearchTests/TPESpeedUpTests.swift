import ForageCore
import Testing

@testable import ForageSearch

/// The speed-ups of TPE with several objectives change no suggestion: the tighter candidate bounds of one continuous
/// parameter (`TPESampler.bestScalarCandidate`) choose what the plain bound chooses, and the dominator counts of
/// two or three objectives (from scratch or kept between calls) are the brute-force counts.
@Suite struct TPESpeedUpTests {
    /// A space of continuous parameters (the bounded path) with a log-scaled one and an integer (the plain path).
    static let space = SearchSpace(
        (0..<6).map { Parameter(name: "x\($0)", distribution: .float(low: 0, high: 1, log: false, step: nil)) } + [
            Parameter(name: "lr", distribution: .float(low: 1e-4, high: 1, log: true, step: nil)),
            Parameter(name: "n", distribution: .int(low: 1, high: 9, log: false, step: 1)),
        ])

    static func values(_ params: ParameterSet, objectives: Int) -> [Double] {
        let x = (0..<6).map { params["x\($0)"]?.doubleValue ?? 0 }
        let lr = params["lr"]?.doubleValue ?? 1
        let n = params["n"]?.doubleValue ?? 0
        let g = 1 + x[2...].reduce(0) { $0 + ($1 - 0.5) * ($1 - 0.5) } + abs(lr - 0.01) + abs(n - 4) / 10
        let all = [x[0] * g, (1 - x[0]) * x[1] * g, (2 - x[1]) * g]
        return Array(all.prefix(objectives))
    }

    @Test(arguments: [(1, false), (2, false), (3, false), (2, true)])
    func boundedCandidateChoiceSuggestsTheSame(objectives: Int, multivariate: Bool) throws {
        let goals = ObjectiveSet(objectives: (1...objectives).map { Objective(metric: "f\($0)", direction: .minimize) })
        var plain = TPESampler.Tuning()
        plain.scalarBounds = false
        // A small bad-set limit for large histories, so the even spread (and its reuse of fewer trials) is reached.
        plain.largeHistory = 80
        plain.maxBadLarge = 30
        var bounded = plain
        bounded.scalarBounds = true
        for seed: UInt64 in 1...2 {
            let options = TPEOptions(startupTrials: 10, multivariate: multivariate ? true : false)
            let a = try TPESampler(seed: seed, options: options, tuning: bounded)
            let b = try TPESampler(seed: seed, options: options, tuning: plain)
            var history = TrialHistory(goals: goals)
            for number in 0..<120 {
                let suggested = a.suggest(index: number, space: Self.space, history: history)
                #expect(suggested == b.suggest(index: number, space: Self.space, history: history), "seed \(seed), trial \(number)")
                guard let params = suggested else { break }
                let values = Self.values(params, objectives: objectives)
                history.upsert(TrialSnapshot(
                    number: number, state: .completed, params: params, value: values[0], values: objectives > 1 ? values : nil))
            }
        }
    }

    /// What a sampler keeps between suggestions (losses and observation rows by trial revision, the front
    /// selection) changes nothing: reused along a history, it suggests at each step what a fresh sampler suggests,
    /// also after trials change in place (running trials finishing, an earlier value corrected) and when it is
    /// handed another history in between (the same trial numbers with other parameters).
    @Test(arguments: [1, 2, 3]) func whatASamplerKeepsBetweenSuggestionsChangesNothing(objectives: Int) throws {
        let goals = ObjectiveSet(objectives: (1...objectives).map { Objective(metric: "f\($0)", direction: .minimize) })
        let options = TPEOptions(startupTrials: 10)
        let reused = try TPESampler(seed: 5, options: options)
        var history = TrialHistory(goals: goals)
        func finish(_ number: Int, _ params: ParameterSet, shift: Double = 0, in history: inout TrialHistory) {
            let values = Self.values(params, objectives: objectives).map { $0 + shift }
            history.finish(number: number, state: .completed, value: values[0], values: objectives > 1 ? values : nil)
        }
        for number in 0..<140 {
            let suggested = reused.suggest(index: number, space: Self.space, history: history)
            #expect(suggested == (try TPESampler(seed: 5, options: options)).suggest(index: number, space: Self.space, history: history), "trial \(number)")
            guard let params = suggested else { break }
            history.upsert(TrialSnapshot(number: number, state: .running, params: params))
            if number % 3 != 0 { finish(number, params, in: &history) }
            if number % 3 == 2 { finish(number - 2, history.trials[number - 2].params, in: &history) }
            if number % 17 == 16 { finish(number / 2, history.trials[number / 2].params, shift: 0.5, in: &history) }
            if number % 29 == 28 {
                // Another history: every trial with its parameters taken from the one before it.
                let shuffled = history.trials.indices.map { k in
                    var trial = history.trials[k]
                    trial.params = history.trials[(k + history.trials.count - 1) % history.trials.count].params
                    return trial
                }
                let other = TrialHistory(goals: goals, trials: shuffled)
                #expect(reused.suggest(index: number, space: Self.space, history: other)
                    == (try TPESampler(seed: 5, options: options)).suggest(index: number, space: Self.space, history: other), "other history at \(number)")
            }
        }
    }

    /// Seeded three-objective losses on a coarse grid (many ties in every coordinate).
    static func losses(_ count: Int, seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in (0..<3).map { _ in (rng.nextUnit() * 12).rounded() / 12 } }
    }

    static func bruteForce(_ points: [[Double]]) -> [Int] {
        points.map { p in points.filter { q in zip(q, p).allSatisfy { $0 < $1 } }.count }
    }

    @Test func beatenCountsAreTheBruteForceCounts() {
        for (count, seed) in [(1, 1), (2, 2), (50, 3), (333, 4)] as [(Int, UInt64)] {
            let points = Self.losses(count, seed: seed)
            let counts = CompletedLosses.beatenCounts(points.map { $0[0] }, points.map { $0[1] }, points.map { $0[2] })
            #expect(counts == Self.bruteForce(points), "\(count) points")
        }
        // All equal in the first coordinate: nothing beats anything.
        let flat = (0..<20).map { [1.0, Double($0), Double($0)] }
        #expect(CompletedLosses.beatenCounts(flat.map { $0[0] }, flat.map { $0[1] }, flat.map { $0[2] }) == Array(repeating: 0, count: 20))
    }

    @Test(arguments: [2, 3]) func dominatorCountsKeptBetweenCallsAreThoseFromScratch(objectives: Int) {
        let goals = ObjectiveSet(objectives: (1...objectives).map { Objective(metric: "f\($0)", direction: .minimize) })
        let points = Self.losses(300, seed: 7).map { Array($0.prefix(objectives)) }
        var history = TrialHistory(goals: goals)
        var kept: [Int] = []
        var counts: [Int] = []
        for (number, values) in points.enumerated() {
            history.upsert(TrialSnapshot(number: number, state: .completed, params: ParameterSet(), value: values[0], values: values))
            let completed = CompletedLosses(history: history)
            // The previous selection plus the one trial added, as the sampler's cache hands them over.
            let indices = kept + [number]
            let known = counts + [-1]
            let incremental = completed.dominatorCounts(indices, count: 25, known: known)
            (kept, counts) = incremental
            guard number % 20 == 19 || number < 5 else { continue }
            let scratch = completed.dominatorCounts(Array(0..<completed.count), count: 25, known: Array(repeating: -1, count: completed.count))
            let brute = Self.bruteForce(Array(points[0...number]))
            #expect(scratch.kept == (0...number).filter { brute[$0] < 25 }, "after \(number + 1) trials")
            #expect(scratch.counts == scratch.kept.map { brute[$0] })
            #expect(incremental.kept == scratch.kept && incremental.counts == scratch.counts, "after \(number + 1) trials")
        }
    }

    @Test func leadingFrontsFromTheDominatorCountsArePeeledFronts() {
        // Ties in every coordinate (a weak dominator need not beat in all three), and fronts 1 to several deep.
        for (count, seed, covering) in [(40, 11, 3), (300, 12, 25), (300, 13, 60), (600, 14, 50)] as [(Int, UInt64, Int)] {
            let points = Self.losses(count, seed: seed)
            var history = TrialHistory(goals: ObjectiveSet(objectives: (1...3).map { Objective(metric: "f\($0)", direction: .minimize) }))
            for (number, values) in points.enumerated() {
                history.upsert(TrialSnapshot(number: number, state: .completed, params: ParameterSet(), value: values[0], values: values))
            }
            let completed = CompletedLosses(history: history)
            let (kept, counts) = completed.dominatorCounts(Array(0..<completed.count), count: covering, known: Array(repeating: -1, count: completed.count))
            let expected = Pareto.leadingFronts(kept.map { points[$0] }, covering: covering)
            #expect(completed.leadingFronts(kept, covering: covering, beaten: counts) == expected, "\(count) points, covering \(covering)")
            #expect(completed.leadingFronts(kept, covering: covering) == expected)
            #expect(expected.reduce(0) { $0 + $1.count } >= min(covering, kept.count))
        }
    }

    @Test func theBoundedArgmaxIsTheFullArgmaxAndSortingByCentreIsTheStableSort() {
        var rng = SplitMix64(seed: 21, stream: 0)
        for round in 0..<400 {
            let count = 1 + round % 70
            // Coarse scores (many ties), some −∞ and NaN; bounds at or above the scores, some NaN (unknown).
            let scores = (0..<count).map { _ -> Double in
                let u = rng.nextUnit()
                return u < 0.05 ? -.infinity : (u < 0.08 ? .nan : (rng.nextUnit() * 8).rounded())
            }
            let bounds = scores.map { rng.nextUnit() < 0.1 ? Double.nan : ($0.isNaN ? .infinity : $0 + (rng.nextUnit() < 0.5 ? 0 : rng.nextUnit() * 3)) }
            var full = 0
            var best = -Double.infinity
            for k in scores.indices where scores[k] > best {
                best = scores[k]
                full = k
            }
            var scored = 0
            let bounded = TPESampler.argmax(bounds: bounds) { k in
                scored += 1
                return scores[k]
            }
            #expect(bounded == full, "round \(round): \(scores) \(bounds)")
            #expect(scored <= count)
            var pairs = (0..<(1 + round % 600)).map { (centre: (rng.nextUnit() * 20).rounded() / 20, position: Int32($0)) }
            pairs.shuffle(using: &rng)
            let expected = pairs.sorted { a, b in a.centre < b.centre || (a.centre == b.centre && a.position < b.position) }
            // The range the buckets assume: the centres' own, a narrower one (centres outside it), or none.
            let (low, high) = [(0.0, 1.0), (0.3, 0.5), (0.0, 0.0)][round % 3]
            ParzenEstimator.sortByCentre(&pairs, low: low, high: high)
            #expect(pairs.map(\.centre) == expected.map(\.centre) && pairs.map(\.position) == expected.map(\.position))
        }
    }
}
