import ForageCore
import Testing

@testable import ForageSearch

/// Multi-objective TPE as Optuna's: the good set's front is cut by greedy hypervolume subset selection (the lazy
/// version picks what the plain greedy picks, also on large three-objective fronts), and with several objectives
/// the parameters are modelled one by one unless `multivariate` says otherwise.
@Suite struct MultiObjectiveTPETests {
    /// A seeded set of mutually non-dominated losses: points on the positive part of a sphere (or a line in 2-D).
    static func front(count: Int, objectives: Int, seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let raw = (0..<objectives).map { _ in rng.nextUnit() + 1e-3 }
            let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return raw.map { $0 / norm }
        }
    }

    /// The plain greedy: every remaining point's gain computed at every step.
    static func plainGreedy(_ points: [[Double]], count: Int) -> [Int] {
        let reference = points[0].indices.map { m in 1.1 * (points.map { $0[m] }.max() ?? 0) }
        var chosen: [Int] = []
        var left = Array(points.indices)
        var volume = 0.0
        while chosen.count < count {
            var best = (gain: -Double.infinity, k: 0)
            for (k, i) in left.enumerated() {
                let gain = Pareto.hypervolume(chosen.map { points[$0] } + [points[i]], reference: reference) - volume
                if gain > best.gain { best = (gain, k) }
            }
            chosen.append(left.remove(at: best.k))
            volume += best.gain
        }
        return chosen
    }

    @Test(arguments: [(2, 40, 10), (3, 30, 8), (3, 120, 20), (4, 50, 6)])
    func lazySubsetSelectionPicksWhatThePlainGreedyPicks(objectives: Int, size: Int, count: Int) {
        for seed: UInt64 in 1...3 {
            let points = Self.front(count: size, objectives: objectives, seed: seed)
            let lazy = MultiObjectiveSplit.hypervolumeSubset(points, count: count)
            #expect(lazy == Self.plainGreedy(points, count: count), "seed \(seed)")
        }
    }

    @Test func largeThreeObjectiveFrontsAreCutByHypervolumeNotCrowding() {
        // 100 points used to fall back to crowding distance (more than 64 with three objectives).
        let points = Self.front(count: 100, objectives: 3, seed: 5)
        let chosen = MultiObjectiveSplit.hypervolumeSubset(points, count: 10)
        #expect(chosen == Self.plainGreedy(points, count: 10))
        #expect(MultiObjectiveSplit.hypervolumeSubset(points, count: 10, exactLimit: 50).count == 10)
    }

    /// A two-objective history of `count` random trials on a 3-parameter cube.
    static func history(count: Int) -> (SearchSpace, TrialHistory) {
        let space = SearchSpace((0..<3).map { Parameter(name: "x\($0)", distribution: .float(low: 0, high: 1, log: false, step: nil)) })
        let goals = ObjectiveSet(objectives: [Objective(metric: "f1", direction: .minimize), Objective(metric: "f2", direction: .minimize)])
        var history = TrialHistory(goals: goals)
        let random = RandomSampler(seed: 3)
        for number in 0..<count {
            guard let params = random.suggest(index: number, space: space, history: history) else { continue }
            let x = params.numbers
            let f1 = x["x0"] ?? 0
            let g = 1 + (x["x1"] ?? 0) + (x["x2"] ?? 0)
            let values = [f1, g * (1 - (f1 / g).squareRoot())]
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: values[0], values: values))
        }
        return (space, history)
    }

    @Test func severalObjectivesDrawThirtyTwoCandidatesByDefaultAndNCandidatesStillSetsAny() throws {
        #expect(TPEOptions().candidateCount(severalObjectives: true) == 32)
        #expect(TPEOptions().candidateCount(severalObjectives: false) == 64)
        #expect(TPEOptions(candidates: 7).candidateCount(severalObjectives: true) == 7)
        let (space, history) = Self.history(count: 40)
        let byDefault = try TPESampler(seed: 4)
        let thirtyTwo = try TPESampler(seed: 4, options: TPEOptions(candidates: 32))
        let sixtyFour = try TPESampler(seed: 4, options: TPEOptions(candidates: 64))
        var differs = false
        for index in 40..<46 {
            let suggestion = byDefault.suggest(index: index, space: space, history: history)
            #expect(suggestion == thirtyTwo.suggest(index: index, space: space, history: history))
            if suggestion != sixtyFour.suggest(index: index, space: space, history: history) { differs = true }
        }
        #expect(differs)
        #expect(throws: SamplerError.self) { try TPESampler(seed: 4, options: TPEOptions(candidates: 0)) }
    }

    @Test func severalObjectivesModelTheParametersOneByOneByDefault() throws {
        #expect(TPEOptions().multivariate == nil)
        let (space, history) = Self.history(count: 40)
        let byDefault = try TPESampler(seed: 4)
        let alone = try TPESampler(seed: 4, options: TPEOptions(multivariate: false))
        let jointly = try TPESampler(seed: 4, options: TPEOptions(multivariate: true))
        var differs = false
        for index in 40..<46 {
            let suggestion = byDefault.suggest(index: index, space: space, history: history)
            #expect(suggestion == alone.suggest(index: index, space: space, history: history))
            if suggestion != jointly.suggest(index: index, space: space, history: history) { differs = true }
        }
        #expect(differs)
    }

    @Test func oneObjectiveStillModelsJointlyByDefault() throws {
        let space = SearchSpace((0..<3).map { Parameter(name: "x\($0)", distribution: .float(low: 0, high: 1, log: false, step: nil)) })
        let (_, history) = TestSupport.run(RandomSampler(seed: 2), space: space, trials: 30) { p in
            p.numbers.values.reduce(0) { $0 + ($1 - 0.3) * ($1 - 0.3) }
        }
        let byDefault = try TPESampler(seed: 4)
        let jointly = try TPESampler(seed: 4, options: TPEOptions(multivariate: true))
        for index in 30..<34 {
            #expect(byDefault.suggest(index: index, space: space, history: history) == jointly.suggest(index: index, space: space, history: history))
        }
    }
}
