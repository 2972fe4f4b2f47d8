import ForageCore
import Foundation

/// Cost-frugal local search, after FLAML's CFO: each model family starts from a cheap configuration and moves
/// towards more cost (rounds, leaves, hidden units, epochs) only where that improves the objective.
///
/// - Families: when the space has a categorical `model` parameter (`model: auto`), its choices are the families, in
///   the order listed, which should be cheapest first. Without one the whole space is one family.
/// - Start: the first draws try each family once, at its start point: a parameter named in `low_cost` at the low end
///   of its range, any other numeric parameter at the middle of its range (geometric middle on a log scale), a
///   categorical at its first choice.
/// - Then: two draws in three go to the family with the best completed trial, the third to the other families in
///   turn. Within a family, the draw is a randomized direct-search step from the family's best trial: a random
///   direction in the unit cube of its numeric parameters (log-scaled where declared), tried forward and then
///   backward, with a step that halves after every `2 × dimensions` proposals that did not beat the incumbent (so
///   the search settles), and each categorical redrawn with probability 0.15.
/// - Restarts: once the step has halved below 0.002 (the search has settled and would repeat itself), the family's
///   draws are random points of the family whose `low_cost` parameters are no dearer than its best trial's, until
///   one beats it and local steps resume from there.
///
/// Like every sampler it keeps no state: the incumbents and counts come from the history, and the randomness from
/// `(seed, family, incumbent, proposal)`; running trials count as proposals, so parallel slots get distinct steps.
public struct CFOSampler: Sampler {
    public let seed: UInt64
    /// Parameters that start at the low end of their range (their cost grows with them).
    public let lowCost: Set<String>
    /// The family parameter's name (`model`).
    public let familyParameter = "model"

    /// The default `low_cost` list: the size and length parameters of the built-in trainers.
    public static let defaultLowCost: Set<String> = ["rounds", "max_leaves", "hidden", "layers", "epochs"]
    static let initialStep = 0.1
    static let minimumStep = 0.002
    static let categoricalChange = 0.15

    public init(seed: UInt64, lowCost: Set<String> = CFOSampler.defaultLowCost) {
        self.seed = seed
        self.lowCost = lowCost
    }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        let families = self.families(in: space)
        let trials = history.trials.filter { $0.state != .queued }
        var byFamily: [[TrialSnapshot]] = Array(repeating: [], count: families.count)
        for trial in trials {
            byFamily[familyIndex(of: trial.params, families: families)].append(trial)
        }
        // Every family gets its cheap start point first.
        if let untried = byFamily.firstIndex(where: \.isEmpty) {
            return start(family: families[untried], space: space)
        }
        let incumbents = byFamily.map { incumbent(in: $0, objective: history.objective) }
        let chosen = chooseFamily(index: index, incumbents: incumbents, objective: history.objective)
        guard let best = incumbents[chosen] else {
            // Nothing of this family completed yet: its start point failed, so try a random point instead.
            var rng = SplitMix64(seed: seed, stream: UInt64(index) &* 0x9E37_79B9 &+ 1)
            return space.assign { parameter, _ in
                if parameter.name == familyParameter, let family = families[chosen] { return family }
                return parameter.distribution.value(atUnit: rng.nextUnit())
            }
        }
        let proposals = byFamily[chosen].filter { $0.number > best.number }.count
        if converged(proposals: proposals, best: best, space: space) {
            return restart(from: best, index: index, family: families[chosen], space: space)
        }
        return step(from: best, proposal: proposals, family: chosen, space: space)
    }

    /// The numeric parameters a step from `best` moves (those its family has).
    func numericParameters(of best: TrialSnapshot, in space: SearchSpace) -> [Parameter] {
        space.parameters.filter { parameter in
            if case .categorical = parameter.distribution { return false }
            return best.params[parameter.name] != nil
        }
    }

    /// Whether the local search around `best` has settled: its step has halved below `minimumStep`, so further
    /// steps would repeat proposals already tried.
    func converged(proposals: Int, best: TrialSnapshot, space: SearchSpace) -> Bool {
        let dimensions = max(1, numericParameters(of: best, in: space).count)
        let halvings = proposal(halvingsAt: proposals, dimensions: dimensions)
        return Self.initialStep * Double(dimensions).squareRoot() * pow2(-halvings) < Self.minimumStep
    }

    private func proposal(halvingsAt proposals: Int, dimensions: Int) -> Int { proposals / (2 * dimensions) }

    /// A new start for a family whose local search has settled (FLAML's CFO restarts there too): a random point of
    /// the family, with each `low_cost` parameter no dearer than in the family's best trial (frugal restarts) and
    /// each other parameter anywhere in its range. When it beats the best, local steps resume around it.
    func restart(from best: TrialSnapshot, index: Int, family: ParameterValue?, space: SearchSpace) -> ParameterSet {
        var rng = SplitMix64(seed: seed ^ 0x5E57A27, stream: UInt64(index) &* 0x9E37_79B9 &+ 7)
        return space.assign { parameter, _ in
            if parameter.name == familyParameter, let family { return family }
            let u = rng.nextUnit()
            guard lowCost.contains(parameter.name), let current = best.params[parameter.name],
                let ceiling = parameter.distribution.unit(of: current)
            else { return parameter.distribution.value(atUnit: u) }
            return parameter.distribution.value(atUnit: u * max(ceiling, 0.1))
        }
    }

    /// The family choices, or `[nil]` when the space has no `model` parameter.
    func families(in space: SearchSpace) -> [ParameterValue?] {
        if let parameter = space[familyParameter], case .categorical(let choices) = parameter.distribution, parameter.condition.isEmpty {
            return choices
        }
        return [nil]
    }

    func familyIndex(of params: ParameterSet, families: [ParameterValue?]) -> Int {
        guard families.count > 1, let value = params[familyParameter] else { return 0 }
        return families.firstIndex(of: value) ?? 0
    }

    /// The start point of a family: low-cost parameters at their low end, other numbers at the middle.
    func start(family: ParameterValue?, space: SearchSpace) -> ParameterSet {
        space.assign { parameter, _ in startValue(parameter, family: family) }
    }

    func startValue(_ parameter: Parameter, family: ParameterValue?) -> ParameterValue {
        if parameter.name == familyParameter, let family { return family }
        switch parameter.distribution {
        case .categorical(let choices): return choices[0]
        default: return parameter.distribution.value(atUnit: lowCost.contains(parameter.name) ? 0 : 0.5)
        }
    }

    /// The best completed trial of one family (ties to the lower number).
    func incumbent(in trials: [TrialSnapshot], objective: Objective) -> TrialSnapshot? {
        var best: TrialSnapshot?
        for trial in trials where trial.state == .completed {
            guard let value = trial.value, value.isFinite else { continue }
            if let current = best?.value, !objective.direction.isBetter(value, than: current) { continue }
            best = trial
        }
        return best
    }

    /// Two draws in three for the leading family, the third for the others in turn.
    func chooseFamily(index: Int, incumbents: [TrialSnapshot?], objective: Objective) -> Int {
        var leader = 0
        for (i, trial) in incumbents.enumerated() {
            guard let value = trial?.value else { continue }
            if let current = incumbents[leader]?.value, !objective.direction.isBetter(value, than: current) { continue }
            leader = i
        }
        guard incumbents.count > 1, index % 3 == 2 else { return leader }
        let others = incumbents.indices.filter { $0 != leader }
        return others[(index / 3) % others.count]
    }

    /// Proposal number `proposal` around `best`: pairs of opposite steps along a random direction.
    func step(from best: TrialSnapshot, proposal: Int, family: Int, space: SearchSpace) -> ParameterSet {
        let numeric = numericParameters(of: best, in: space)
        let dimensions = max(1, numeric.count)
        let halvings = self.proposal(halvingsAt: proposal, dimensions: dimensions)
        let size = max(Self.minimumStep, Self.initialStep * Double(dimensions).squareRoot() * pow2(-halvings))
        let pair = proposal / 2
        let sign: Double = proposal % 2 == 0 ? 1 : -1
        var rng = SplitMix64(seed: seed, stream: (UInt64(best.number) << 24) ^ (UInt64(family) << 16) ^ UInt64(pair))
        var direction: [String: Double] = [:]
        var norm = 0.0
        for parameter in numeric {
            let g = rng.nextGaussian()
            direction[parameter.name] = g
            norm += g * g
        }
        norm = max(norm.squareRoot(), 1e-12)
        // Categorical changes are drawn from their own stream, the same for both steps of a pair.
        var categoricalRNG = SplitMix64(seed: seed ^ 0xCF0, stream: (UInt64(best.number) << 24) ^ (UInt64(family) << 16) ^ UInt64(pair))
        return space.assign { parameter, _ in
            if parameter.name == familyParameter, best.params[parameter.name] != nil, case .categorical = parameter.distribution,
                parameter.condition.isEmpty
            {
                return best.params[parameter.name] ?? startValue(parameter, family: nil)
            }
            guard let current = best.params[parameter.name] else {
                return startValue(parameter, family: nil)
            }
            switch parameter.distribution {
            case .categorical(let choices):
                guard choices.count > 1, categoricalRNG.nextUnit() < Self.categoricalChange else { return current }
                let others = choices.filter { $0 != current }
                return others[min(Int(categoricalRNG.nextUnit() * Double(others.count)), others.count - 1)]
            default:
                let u = parameter.distribution.unit(of: current) ?? 0.5
                let moved = u + sign * size * (direction[parameter.name] ?? 0) / norm
                return parameter.distribution.value(atUnit: moved)
            }
        }
    }

    private func pow2(_ exponent: Int) -> Double {
        var x = 1.0
        for _ in 0..<min(-exponent, 60) { x *= 0.5 }
        return x
    }
}

extension CFOSampler {
    /// `searcher: {algorithm: cfo, seed, low_cost: "rounds,max_leaves,…"}`.
    public static let entry = SamplerEntry(
        name: "cfo", summary: "cost-frugal local search (FLAML's CFO): cheap start points per family, then steps where they pay",
        options: [
            OptionKey(
                "low_cost", .string,
                "comma-separated parameters that start at the low end of their range (default: rounds,max_leaves,hidden,layers,epochs)")
        ]
    ) { context in
        guard case .string(let text)? = context.options["low_cost"] else { return CFOSampler(seed: context.seed) }
        let names = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        for name in names where context.space[name] == nil {
            throw SamplerError("low_cost names '\(name)', which is not a parameter of the search space", key: "low_cost")
        }
        return CFOSampler(seed: context.seed, lowCost: names)
    }
}
