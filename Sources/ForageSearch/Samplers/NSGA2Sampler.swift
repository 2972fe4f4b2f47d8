import Foundation
import ForageCore

/// NSGA-II (`searcher: nsga2`), after Deb et al. (2002) and Optuna's `NSGAIISampler`, for one or several objectives
/// and constraints.
///
/// Draw `index` belongs to generation `index / population_size`. Generation 0 is random (the draws `RandomSampler`
/// makes). A later draw picks its parents from the elite of every completed trial in the history: the best
/// `population_size` by constrained domination (feasible trials first, by non-dominated front and crowding distance;
/// infeasible ones after, by total violation) — the survivors NSGA-II's (μ+λ) selection keeps, recomputed from the
/// history, so nothing lives in memory and parallel processes or a resume agree. Two binary tournaments choose the
/// parents; numeric parameters cross with SBX (η = 15) with probability `crossover_prob` and mutate polynomially
/// (η = 20) with probability `mutation_prob` each (default 1 / number of parameters), on the unit scale the
/// distribution defines (log scale for `log: true`, cells for integers); categoricals inherit from either parent
/// and mutate to a random choice. A parameter neither parent has (a conditional one) is drawn at random.
///
/// All randomness comes from `SplitMix64(seed: seed, stream: index)`.
public struct NSGA2Sampler: Sampler {
    public let seed: UInt64
    public let populationSize: Int
    public let crossoverProbability: Double
    /// Per-parameter mutation probability; nil = 1 / number of parameters.
    public let mutationProbability: Double?
    /// The elite's candidates from the last suggestion (a speed-up only; see `LeadingFrontCache`).
    let frontCache = LeadingFrontCache()

    static let crossoverEta = 15.0
    static let mutationEta = 20.0

    public init(seed: UInt64, populationSize: Int = 50, crossoverProbability: Double = 0.9, mutationProbability: Double? = nil) throws {
        guard populationSize >= 2 else { throw SamplerError("nsga2: population_size must be at least 2 (got \(populationSize))", key: "population_size") }
        self.seed = seed
        self.populationSize = populationSize
        self.crossoverProbability = crossoverProbability
        self.mutationProbability = mutationProbability
    }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        let random = RandomSampler(seed: seed)
        guard index >= populationSize else { return random.suggest(index: index, space: space, history: history) }
        let elite = Self.elite(history: history, size: populationSize, cache: frontCache)
        guard elite.count >= 2 else { return random.suggest(index: index, space: space, history: history) }
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        func tournament() -> Member {
            let a = elite[Int(rng.next() % UInt64(elite.count))]
            let b = elite[Int(rng.next() % UInt64(elite.count))]
            return a.beats(b) ? a : b
        }
        let first = tournament().params
        let second = tournament().params
        let crosses = rng.nextUnit() < crossoverProbability
        let mutation = mutationProbability ?? 1 / Double(max(space.parameters.count, 1))
        return space.assign { parameter, _ in
            let distribution = parameter.distribution
            let a = first[parameter.name].flatMap(distribution.unit(of:))
            let b = second[parameter.name].flatMap(distribution.unit(of:))
            if case .categorical(let choices) = distribution {
                if rng.nextUnit() < mutation || (a == nil && b == nil) { return choices[Int(rng.next() % UInt64(choices.count))] }
                let inherited = (rng.nextUnit() < 0.5 ? first : second)[parameter.name] ?? first[parameter.name] ?? second[parameter.name]
                return inherited.flatMap { choices.contains($0) ? $0 : nil } ?? choices[Int(rng.next() % UInt64(choices.count))]
            }
            var u: Double
            switch (a, b) {
            case (let x?, let y?): u = crosses ? Self.sbx(x, y, rng: &rng) : (rng.nextUnit() < 0.5 ? x : y)
            case (let x?, nil), (nil, let x?): u = x
            case (nil, nil): return distribution.value(atUnit: rng.nextUnit())
            }
            if rng.nextUnit() < mutation { u = Self.polynomialMutation(u, rng: &rng) }
            return distribution.value(atUnit: u)
        }
    }

    /// One child of simulated binary crossover of `x` and `y` in [0, 1], bounded.
    static func sbx(_ x: Double, _ y: Double, rng: inout SplitMix64) -> Double {
        let low = min(x, y)
        let high = max(x, y)
        guard high - low > 1e-14 else { return x }
        let eta = crossoverEta
        let r = rng.nextUnit()
        func child(beta: Double, sign: Double) -> Double {
            let alpha = 2 - Swift.max(beta, 1e-300).power(-(eta + 1))
            let betaQ = r <= 1 / alpha ? (r * alpha).power(1 / (eta + 1)) : (1 / (2 - r * alpha)).power(1 / (eta + 1))
            return 0.5 * ((low + high) + sign * betaQ * (high - low))
        }
        let c1 = child(beta: 1 + 2 * low / (high - low), sign: -1)
        let c2 = child(beta: 1 + 2 * (1 - high) / (high - low), sign: 1)
        let pick = rng.nextUnit() < 0.5 ? c1 : c2
        return Swift.min(Swift.max(pick, 0), 1)
    }

    /// Polynomial mutation of `u` in [0, 1] (Deb's bounded form).
    static func polynomialMutation(_ u: Double, rng: inout SplitMix64) -> Double {
        let eta = mutationEta
        let r = rng.nextUnit()
        let power = 1 / (eta + 1)
        let delta: Double
        if r < 0.5 {
            let xy = 1 - u
            delta = (2 * r + (1 - 2 * r) * xy.power(eta + 1)).power(power) - 1
        } else {
            let xy = u
            delta = 1 - (2 * (1 - r) + 2 * (r - 0.5) * xy.power(eta + 1)).power(power)
        }
        return Swift.min(Swift.max(u + delta, 0), 1)
    }

    /// One elite trial with what the tournament compares.
    struct Member {
        var params: ParameterSet
        var feasible: Bool
        /// The front (feasible) or the position by violation (infeasible), 0-based.
        var rank: Int
        var crowding: Double

        func beats(_ other: Member) -> Bool {
            if rank != other.rank { return rank < other.rank }
            return crowding > other.crowding
        }
    }

    /// The `size` best completed trials by constrained domination, with their ranks and crowding distances.
    /// `cache` (the sampler's) narrows the trials looked at when the history only grew since the last call; the
    /// result is the same with or without it.
    static func elite(history: TrialHistory, size: Int, cache: LeadingFrontCache? = nil, prefilter: Bool = true) -> [Member] {
        let completed = CompletedLosses(history: history, reusing: cache?.lastLosses)
        var (feasible, feasibleKnown, infeasible) = completed.candidates(cache: cache, covering: size)
        // Two objectives: a sweep; three: dominator counts kept between calls (as TPE's); more: no prefilter.
        let counted = prefilter && completed.objectives == 3
        var counts: [Int] = []
        if counted {
            (feasible, counts) = completed.dominatorCounts(feasible, count: size, known: feasibleKnown)
        } else if prefilter {
            feasible = completed.fewDominators(feasible, count: size)
        }
        func params(_ k: Int) -> ParameterSet { history.trials[completed.positions[k]].params }
        var members: [Member] = []
        members.reserveCapacity(size)
        var kept: [Int] = []
        let fronts = completed.leadingFronts(feasible, covering: size, beaten: counted ? counts : nil)
        let byViolation = infeasible.sorted { completed.violations[$0] < completed.violations[$1] }.prefix(size)
        defer {
            cache?.store(
                completed, kept: (completed.objectives == 2 || counted ? feasible : kept) + byViolation,
                counts: counted ? counts + Array(repeating: -1, count: byViolation.count) : nil, covering: size)
        }
        for (rank, front) in fronts.enumerated() {
            kept += front.map { feasible[$0] }
            guard members.count < size else { continue }
            let crowding = Pareto.crowding(front.map { completed.lossVector(feasible[$0]) })
            var order = Array(front.indices)
            if members.count + front.count > size {
                // The last front is cut by crowding distance, the most isolated kept.
                order.sort { crowding[$0] > crowding[$1] }
                order = Array(order.prefix(size - members.count))
            }
            for k in order { members.append(Member(params: params(feasible[front[k]]), feasible: true, rank: rank, crowding: crowding[k])) }
        }
        if members.count >= size { return members }
        let rankOffset = fronts.count
        for (position, k) in byViolation.prefix(size - members.count).enumerated() {
            members.append(Member(params: params(k), feasible: false, rank: rankOffset + position, crowding: 0))
        }
        return members
    }
}

extension NSGA2Sampler {
    /// `searcher: {algorithm: nsga2, seed, population_size, crossover_prob, mutation_prob}`.
    public static let entry = SamplerEntry(
        name: "nsga2", summary: "NSGA-II genetic search for one or several objectives and constraints",
        options: [
            .int("population_size", min: 2, "trials per generation and elite size (default 50)"),
            .number("crossover_prob", min: 0, max: 1, "probability that a child crosses its parents (SBX; default 0.9)"),
            .number("mutation_prob", min: 0, max: 1, "per-parameter mutation probability (default 1 / number of parameters)"),
        ]
    ) { context in
        try NSGA2Sampler(
            seed: context.seed, populationSize: context.options.int("population_size", default: 50),
            crossoverProbability: context.options.double("crossover_prob", default: 0.9),
            mutationProbability: context.options.double("mutation_prob"))
    }
}

extension Double {
    fileprivate func power(_ exponent: Double) -> Double { Foundation.pow(self, exponent) }
}
