import ForageCore
import Testing

@testable import ForageSearch

/// The speed-ups of NSGA-II's elite and multi-objective TPE's split (the cache of one-loss selections, the
/// two-objective dominator prefilter) change nothing: every selection equals the one computed from the whole history
/// without them, as the history grows (trials finishing out of order, pruned and infeasible ones among them) and
/// when a different history comes along.
@Suite struct LeadingFrontCacheTests {
    static let space = SearchSpace([
        Parameter(name: "a", distribution: .float(low: 0, high: 1, log: false, step: nil)),
        Parameter(name: "b", distribution: .int(low: 0, high: 9, log: false, step: 1)),
    ])

    /// A seeded history of `count` trials with two (or three) minimised objectives and a constraint; every fifth
    /// trial is still running and every eleventh pruned; a few values are tied on purpose.
    static func history(count: Int, objectives: Int = 2, seed: UInt64 = 1) -> TrialHistory {
        var rng = SplitMix64(seed: seed)
        let goals = ObjectiveSet(
            objectives: (1...objectives).map { Objective(metric: "f\($0)", direction: $0 == 2 ? .maximize : .minimize) },
            constraints: [Constraint(metric: "c", comparison: .lessOrEqual, bound: 0.8)])
        var history = TrialHistory(goals: goals)
        for number in 0..<count {
            let params = ParameterSet(["a": .double(rng.nextUnit()), "b": .int(Int(rng.next() % 10))])
            let values = (0..<objectives).map { _ in (rng.nextUnit() * 20).rounded() / 20 }
            let violation = max(0, rng.nextUnit() - 0.8)
            let state: TrialState = number % 5 == 4 ? .running : (number % 11 == 10 ? .pruned : .completed)
            history.upsert(TrialSnapshot(
                number: number, state: state, params: params, value: values[0],
                values: state == .completed ? values : nil, violation: state == .completed ? violation : nil))
        }
        return history
    }

    /// Finishes the running trials of `history` below `number`.
    static func finishRunning(_ history: inout TrialHistory, below number: Int) {
        for trial in history.trials where trial.state == .running && trial.number < number {
            let values = (1...history.goals.objectives.count).map { Double(($0 * 7 + trial.number) % 13) / 13 }
            history.finish(number: trial.number, state: .completed, value: values[0], values: values, violation: 0)
        }
    }

    static func same(_ a: [NSGA2Sampler.Member], _ b: [NSGA2Sampler.Member]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { $0.params == $1.params && $0.rank == $1.rank && $0.crowding == $1.crowding && $0.feasible == $1.feasible }
    }

    @Test(arguments: [1, 2, 3])
    func nsga2EliteIsTheSameWithTheSpeedUps(objectives: Int) {
        let full = Self.history(count: 400, objectives: objectives)
        let cache = LeadingFrontCache()
        var history = TrialHistory(goals: full.goals)
        for (k, trial) in full.trials.enumerated() {
            history.upsert(trial)
            if k % 37 == 36 { Self.finishRunning(&history, below: k - 20) }
            guard k % 3 == 0 else { continue }
            for size in [4, 12] where size == 12 || k > 200 {
                let cached = NSGA2Sampler.elite(history: history, size: size, cache: cache)
                let uncached = NSGA2Sampler.elite(history: history, size: size, prefilter: false)
                #expect(Self.same(cached, uncached), "after \(k + 1) trials, size \(size)")
            }
        }
        // Another history through the same cache.
        let other = Self.history(count: 300, objectives: objectives, seed: 9)
        #expect(Self.same(NSGA2Sampler.elite(history: other, size: 12, cache: cache), NSGA2Sampler.elite(history: other, size: 12, prefilter: false)))
    }

    @Test(arguments: [1, 2, 3])
    func multiObjectiveTPESplitIsTheSameWithTheSpeedUps(objectives: Int) {
        let full = Self.history(count: 400, objectives: objectives)
        let cache = LeadingFrontCache()
        var history = TrialHistory(goals: full.goals)
        for (k, trial) in full.trials.enumerated() {
            history.upsert(trial)
            if k % 29 == 28 { Self.finishRunning(&history, below: k - 10) }
            guard k % 3 == 0 else { continue }
            let wanted = TPESplit.goodCount(finished: k + 1, gamma: 0.1, cap: 25)
            let cached = MultiObjectiveSplit.ranked(history: history, wanted: wanted, cache: cache)
            let uncached = MultiObjectiveSplit.ranked(history: history, wanted: wanted, prefilter: false)
            #expect(cached.order == uncached.order, "after \(k + 1) trials")
            #expect(cached.finished == uncached.finished && cached.excluded == uncached.excluded)
        }
        #expect(!MultiObjectiveSplit.ranked(history: history, wanted: 25).order.isEmpty)
    }

    @Test func samplersSuggestTheSameWithAFreshInstance() throws {
        // A long-lived sampler (warm cache) and a fresh one (as after a resume) agree at every step.
        var history = Self.history(count: 60)
        let spec = SearcherSpec(algorithm: "nsga2", seed: 3, options: ["population_size": .int(8)])
        let tpeSpec = SearcherSpec(algorithm: "tpe", seed: 3, options: ["n_startup": .int(5)])
        let nsga2 = try SamplerRegistry.make(spec, space: Self.space)
        let tpe = try SamplerRegistry.make(tpeSpec, space: Self.space)
        for index in 60..<90 {
            let freshNSGA2 = try SamplerRegistry.make(spec, space: Self.space)
            let freshTPE = try SamplerRegistry.make(tpeSpec, space: Self.space)
            #expect(nsga2.suggest(index: index, space: Self.space, history: history) == freshNSGA2.suggest(index: index, space: Self.space, history: history))
            #expect(tpe.suggest(index: index, space: Self.space, history: history) == freshTPE.suggest(index: index, space: Self.space, history: history))
            let params = nsga2.suggest(index: index, space: Self.space, history: history) ?? ParameterSet()
            let f = Double(index % 17) / 17
            history.upsert(TrialSnapshot(number: index, state: .completed, params: params, value: f, values: [f, 1 - f * f], violation: 0))
        }
    }
}
