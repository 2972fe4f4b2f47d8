import Foundation
import ForageCore

/// CMA-ES (`searcher: cmaes`): the covariance matrix adaptation evolution strategy, for long continuous searches.
///
/// The unconditional float and integer parameters are searched jointly in the unit cube (log scale for `log: true`;
/// integers are rounded from a continuous coordinate); categorical and conditional parameters are drawn
/// independently at random, as Optuna's `CmaEsSampler` does by default.
///
/// Stateless like every sampler: the completed trials, in number order, are cut into generations of the population
/// size and replayed through `CMAState.tell`, so the distribution a suggestion is drawn from is a function of the
/// history. Resume, retries and several processes therefore need nothing special; trials suggested while a generation
/// is still running are drawn from the same distribution. With `restarts: ipop` (the default), a run that meets one of
/// the `cmaes` package's stopping criteria restarts from a random mean with the population doubled (IPOP-CMA-ES); the
/// restart's mean comes from `(seed, restart number)`, so the replay is deterministic too.
///
/// With `warm_start:`, the first run starts from the distribution WS-CMA-ES derives from the other experiment's best
/// complete trials (`CMAWarmStart`) instead of the centre of the cube with `sigma0`.
///
/// With `diagonal: true` (the default), each coordinate's scale is also adapted apart, with faster learning rates
/// (dd-CMA's diagonal decoding, see `CMAState`): the distribution stretches along the axes that matter sooner.
///
/// A point outside the cube is redrawn (up to 100 times) and then clipped, as the `cmaes` package does.
///
/// A trial's position in its generation is the number of the experiment's trials (any state) after the last one
/// the replay told, so sequential and parallel trials of one generation get distinct positions. How a position's
/// step is drawn is `sampling`:
/// - `mirrored` (the default): mirrored orthogonal sampling (Wang, Emmerich & Bäck, 2014) without pairwise
///   selection — positions `2j` and `2j + 1` take the steps `+z_j` and `−z_j`, and the base vectors `z_j` are
///   orthogonal in blocks of `n` (`OrthogonalDraws`); a pair outside the cube is redrawn together, so its points stay
///   mirrored. Every point is recombined as usual; `CMAState.tell` corrects the evolution paths' normaliser for
///   pairs selected together, so the step size is not biased downwards (the known flaw of plain mirroring).
/// - `orthogonal`: the vectors of a generation are orthogonal in blocks of `n`, without mirrors.
/// - `iid`: independent draws, as the `cmaes` package does.
public struct CMAESSampler: Sampler {
    public let seed: UInt64
    /// The initial step size in unit-cube coordinates (Optuna's default `min range / 6` is 1/6 here).
    public let sigma0: Double
    /// The first run's population size (default `4 + ⌊3 ln n⌋`).
    public let populationSize: Int?
    /// Whether to restart with a doubled population when the search stagnates.
    public let restarts: Bool
    /// How a generation's standard normal vectors are drawn.
    public let sampling: Sampling
    /// Whether the coordinate scales are adapted apart, with faster rates (dd-CMA; see `CMAState`).
    public let diagonal: Bool
    /// The states the last replay passed through (a speed-up only; see `CMAReplayCache`).
    let replayCache = CMAReplayCache()

    /// How a generation's standard normal vectors are drawn (see the type's documentation).
    public enum Sampling: String, Sendable, CaseIterable {
        case mirrored, orthogonal, iid
    }

    public init(
        seed: UInt64, sigma0: Double = 1.0 / 6, populationSize: Int? = nil, restarts: Bool = true, sampling: Sampling = .mirrored,
        diagonal: Bool = true
    ) {
        self.seed = seed
        self.diagonal = diagonal
        self.sigma0 = sigma0
        self.populationSize = populationSize
        self.restarts = restarts
        self.sampling = sampling
    }

    /// The state after the replay, which run (0 for the first, one more per restart) it belongs to, and how many of
    /// the experiment's trials come after the last trial of the last told generation (the next trial's position).
    struct Replay {
        var state: CMAState
        var run: Int
        var slot: Int
    }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        let axes = space.parameters.filter { $0.condition.isEmpty && Self.isContinuous($0.distribution) }
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        guard !axes.isEmpty else {
            return space.assign { parameter, _ in parameter.distribution.value(atUnit: rng.nextUnit()) }
        }
        let replayed = replay(axes: axes, history: history)
        let state = replayed.state
        let key = UInt64(replayed.run) << 32 | UInt64(state.generation)
        let point: [Double]
        switch sampling {
        case .mirrored:
            point = drawMirrored(from: state, slot: replayed.slot, key: key)
        case .orthogonal:
            point = draw(from: state, rng: &rng, first: OrthogonalDraws.vector(slot: replayed.slot, dimensions: state.dimensions, seed: seed, key: key))
        case .iid:
            point = draw(from: state, rng: &rng)
        }
        let names = Dictionary(uniqueKeysWithValues: axes.enumerated().map { ($1.name, $0) })
        return space.assign { parameter, _ in
            if let k = names[parameter.name] { return parameter.distribution.value(atUnit: point[k]) }
            return parameter.distribution.value(atUnit: rng.nextUnit())
        }
    }

    /// The CMA state after every complete generation of the history (restarts included), replayed from the latest
    /// state the last replay passed through whose trials are unchanged (`CMAReplayCache`; the same result).
    func replay(axes: [Parameter], history: TrialHistory) -> Replay {
        let minimizes = history.objective.direction != .maximize
        let sign: Double = minimizes ? 1 : -1
        let trials = history.trials
        let warmPositions = trials.indices.filter { trials[$0].isWarmStart }
        var checkpoints = replayCache.checkpoints(axes: axes, minimizes: minimizes, history: history, warmPositions: warmPositions)
        var state: CMAState
        var restart = 0
        var lastTold = Int.min
        var start = 0
        if let resumed = checkpoints.last {
            state = resumed.state
            restart = resumed.restart
            lastTold = resumed.lastTold
            start = resumed.position + 1
        } else {
            // A warm start's complete trials set the first distribution (WS-CMA-ES); they are not replayed as generations.
            let warm = warmPositions.compactMap { position -> (x: [Double], value: Double)? in
                let trial = trials[position]
                guard trial.state == .completed, let value = trial.value, value.isFinite, let x = Self.coordinates(of: trial.params, axes: axes) else { return nil }
                return (x, sign * value)
            }
            state = CMAWarmStart.state(from: warm, populationSize: populationSize, diagonal: diagonal)
                ?? CMAState(mean: [Double](repeating: 0.5, count: axes.count), sigma: sigma0, populationSize: populationSize, diagonal: diagonal)
        }
        var generation: [(x: [Double], value: Double)] = []
        let kept = CMAReplayCache.limit(dimensions: axes.count)
        for position in start..<trials.count {
            let trial = trials[position]
            guard trial.state == .completed, !trial.isWarmStart, let value = trial.value, value.isFinite,
                let x = Self.coordinates(of: trial.params, axes: axes)
            else { continue }
            generation.append((x, sign * value))
            guard generation.count == state.populationSize else { continue }
            state.tell(generation, mirrored: sampling == .mirrored)
            generation.removeAll(keepingCapacity: true)
            lastTold = trial.number
            if restarts, state.shouldStop {
                restart += 1
                var rng = SplitMix64(seed: seed ^ 0xC3A5_C85C_97CB_3127, stream: UInt64(restart))
                let mean = (0..<axes.count).map { _ in rng.nextUnit() }
                state = CMAState(mean: mean, sigma: sigma0, populationSize: state.populationSize * 2, diagonal: diagonal)
            }
            checkpoints.append(.init(position: position, state: state, restart: restart, lastTold: lastTold))
            if checkpoints.count > 2 * kept { checkpoints.removeFirst(kept) }
        }
        replayCache.store(checkpoints, axes: axes, minimizes: minimizes, history: history, warmPositions: warmPositions)
        let slot = trials.reduce(0) { $0 + ($1.isWarmStart || $1.number <= lastTold ? 0 : 1) }
        return Replay(state: state, run: restart, slot: slot)
    }

    /// One point `mean + sign·σ·B·D·z` of the current distribution, redrawn while outside the unit cube (with
    /// `mirrored`, also while its mirror `mean − sign·σ·B·D·z` is), up to 100 times, then clipped; `first` is the
    /// standard normal vector `z` of the first attempt, and the redraws are independent draws from `rng`.
    func draw(from state: CMAState, rng: inout SplitMix64, first: [Double]? = nil, sign: Double = 1, mirrored: Bool = false) -> [Double] {
        let n = state.dimensions
        func inside(_ x: [Double]) -> Bool { x.allSatisfy { $0 >= 0 && $0 <= 1 } }
        var point: [Double] = []
        for attempt in 0..<100 {
            let z = (attempt == 0 ? first : nil) ?? (0..<n).map { _ in rng.nextGaussian() }
            let y = state.step(from: z)
            point = (0..<n).map { state.mean[$0] + sign * state.sigma * y[$0] }
            if inside(point) && (!mirrored || inside((0..<n).map { state.mean[$0] - sign * state.sigma * y[$0] })) { return point }
        }
        return point.map { min(max($0, 0), 1) }
    }

    /// The point of position `slot` under mirrored sampling: `draw` with the pair's base vector (`+` at even slots),
    /// redrawn from the pair's own stream, so both points of a pair make the same draws and stay mirrors.
    func drawMirrored(from state: CMAState, slot: Int, key: UInt64) -> [Double] {
        let pair = slot / 2
        var redraws = SplitMix64(seed: seed ^ 0x9E37_79B9_7F4A_7C15, stream: key &* 0x1_0000 &+ UInt64(pair))
        return draw(
            from: state, rng: &redraws, first: OrthogonalDraws.vector(slot: pair, dimensions: state.dimensions, seed: seed, key: key),
            sign: slot % 2 == 0 ? 1 : -1, mirrored: true)
    }

    /// A trial's unit-cube coordinates on `axes`, or nil when one is missing or outside the space (a trial of an
    /// earlier, different space is then left out rather than distorting the distribution).
    static func coordinates(of params: ParameterSet, axes: [Parameter]) -> [Double]? {
        var x: [Double] = []
        x.reserveCapacity(axes.count)
        for axis in axes {
            guard let value = params[axis.name], axis.distribution.contains(value), let u = axis.distribution.unit(of: value) else { return nil }
            x.append(min(max(u, 0), 1))
        }
        return x
    }

    static func isContinuous(_ distribution: Distribution) -> Bool {
        switch distribution {
        case .float(let low, let high, _, _): return high > low
        case .int(let low, let high, _, _): return high > low
        case .categorical: return false
        }
    }
}

extension CMAESSampler {
    /// `searcher: {algorithm: cmaes, seed, sigma0, popsize, restarts, sampling, diagonal}`.
    public static let entry = SamplerEntry(
        name: "cmaes", summary: "CMA-ES over the float and integer parameters, with IPOP restarts",
        options: [
            .number("sigma0", min: 0, max: 1, openMin: true, "initial step size as a fraction of each range (default 1/6)"),
            .int("popsize", min: 2, "the first run's population size (default 4 + 3 ln n)"),
            .choice("restarts", ["ipop", "none"], "ipop doubles the population and restarts when the search stagnates (default ipop)"),
            .choice("sampling", Sampling.allCases.map(\.rawValue), "mirrored draws each generation's steps in mirrored pairs ±z with orthogonal base vectors; orthogonal draws them in mutually orthogonal blocks; iid independently, as the cmaes package does (default mirrored)"),
            .bool("diagonal", "adapt each coordinate's scale apart with faster rates (dd-CMA's diagonal decoding; default true)"),
        ]
    ) { context in
        CMAESSampler(
            seed: context.seed, sigma0: context.options.double("sigma0", default: 1.0 / 6), populationSize: context.options.int("popsize"),
            restarts: context.options.string("restarts", default: "ipop") == "ipop",
            sampling: Sampling(rawValue: context.options.string("sampling", default: "mirrored")) ?? .mirrored,
            diagonal: context.options.bool("diagonal", default: true))
    }
}
