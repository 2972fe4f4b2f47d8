import Foundation
import ForageCore
import ForageNumerics

/// Gaussian-process Bayesian optimisation (`searcher: gp`), for expensive trials where every evaluation counts.
///
/// - The first `n_startup` trials are points of a scrambled Sobol sequence (`SobolSampler` with the same seed).
/// - The observed values are warped (`OutputWarp`, Box-Cox with the exponent of highest profile likelihood) and
///   standardised, so objectives spanning orders of magnitude do not flatten the region near the best trials.
/// - Then a GP with a Matérn-5/2 kernel and per-dimension length scales (`GPModel`) is fitted to the completed trials
///   by maximising the marginal likelihood (with Optuna's prior on the kernel parameters; multi-start is unnecessary
///   from its fixed start). Parameters are modelled in the unit cube, log-scaled ones in log space, integers as
///   continuous coordinates rounded at the end, categoricals by a Hamming term in the kernel.
/// - The next point maximises log expected improvement: a seeded batch of random candidates and perturbations of the
///   best trials is screened, the best few are refined by L-BFGS over the box (categoricals held), and the best wins.
/// - Running trials are added as if they had returned the worst value so far (constant liar), so parallel slots spread.
/// - Long histories: the kernel is fitted on at most `fitLimit` trials (the best quarter and an even spread of the
///   rest) of a prefix of the history that moves every few trials, so consecutive suggestions share one fit
///   (`GPFitCache`); the posterior still conditions on every trial.
///
/// Conditional parameters are drawn at random. Stateless: the fit starts from the same point on every call, and all
/// randomness comes from `(seed, index)`.
public struct GPSampler: Sampler {
    public let seed: UInt64
    public let startupTrials: Int
    public let constantLiar: Bool
    /// Random candidates screened per suggestion before the local search (fewer with long histories).
    public let candidates: Int
    /// The most trials the kernel's parameters are fitted on.
    let fitLimit = 100
    /// Fits already made, by their data (see `fitPrefix`).
    let fits = GPFitCache()

    public init(seed: UInt64, startupTrials: Int = 10, constantLiar: Bool = true, candidates: Int = 1024) {
        self.seed = seed
        self.candidates = candidates
        self.startupTrials = startupTrials
        self.constantLiar = constantLiar
    }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        let axes = space.parameters.filter { $0.condition.isEmpty && Self.modelled($0.distribution) }
        let sign: Double = history.objective.direction == .maximize ? -1 : 1
        var points: [[Double]] = []
        var values: [Double] = []
        var running: [[Double]] = []
        for trial in history.trials {
            guard let x = Self.coordinates(of: trial.params, axes: axes) else { continue }
            if trial.state == .completed, let value = trial.value, value.isFinite {
                points.append(x)
                values.append(sign * value)
            } else if trial.state == .running || trial.state == .queued {
                running.append(x)
            }
        }
        guard !axes.isEmpty, points.count >= max(startupTrials, 1) else {
            return SobolSampler(seed: seed).suggest(index: index, space: space, history: history)
        }
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        let warp = OutputWarp(fitting: values)
        let warped = values.map(warp.apply)
        let mean = warped.reduce(0, +) / Double(warped.count)
        let spread = (warped.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(warped.count)).squareRoot()
        let scale = spread > 1e-12 ? spread : 1
        var standardized = warped.map { ($0 - mean) / scale }
        let best = standardized.min() ?? 0
        let categorical = axes.map { if case .categorical = $0.distribution { return true } else { return false } }
        let (fitPoints, fitValues) = Self.fitData(points: points, values: values, limit: fitLimit)
        let kernel = fits.kernel(points: fitPoints, values: fitValues) {
            GPModel.fit(points: fitPoints, values: fitValues, categorical: categorical)
        }
        if constantLiar, let worst = standardized.max() {
            points += running
            standardized += [Double](repeating: worst, count: running.count)
        }
        guard let model = GPModel(points: points, values: standardized, categorical: categorical, kernel: kernel) else {
            return RandomSampler(seed: seed).suggest(index: index, space: space, history: history)
        }
        let x = AcquisitionSearch(model: model, axes: axes, best: best, values: standardized, candidateCount: candidates).maximize(rng: &rng)
        let byName = Dictionary(uniqueKeysWithValues: axes.enumerated().map { ($1.name, $0) })
        return space.assign { parameter, _ in
            guard let k = byName[parameter.name] else { return parameter.distribution.value(atUnit: rng.nextUnit()) }
            if case .categorical(let choices) = parameter.distribution {
                return choices[min(max(Int(x[k]), 0), choices.count - 1)]
            }
            return parameter.distribution.value(atUnit: x[k])
        }
    }

    /// What the kernel is fitted on: every completed trial up to `limit` of them; beyond, the first
    /// `fitPrefix(count)` completed trials (in history order), warped (`OutputWarp`) and standardised on their own, and
    /// of those at most `limit`
    /// (`fitSubset`). The prefix moves only every few trials, so a sequential search refits only then (`GPFitCache`).
    static func fitData(points: [[Double]], values: [Double], limit: Int) -> ([[Double]], [Double]) {
        let count = points.count <= limit ? points.count : fitPrefix(points.count)
        let warp = OutputWarp(fitting: values.prefix(count))
        let prefix = values.prefix(count).map(warp.apply)
        let mean = prefix.reduce(0, +) / Double(max(count, 1))
        let spread = (prefix.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(count, 1))).squareRoot()
        let standardized = prefix.map { ($0 - mean) / (spread > 1e-12 ? spread : 1) }
        guard count > limit else { return (Array(points.prefix(count)), standardized) }
        let chosen = fitSubset(standardized, limit: limit)
        return (chosen.map { points[$0] }, chosen.map { standardized[$0] })
    }

    /// The length of the fitted prefix of `count` completed trials: `count` rounded down to a multiple of the power
    /// of two nearest below `count / 20` (every 16 trials at 500, every 32 from 640).
    static func fitPrefix(_ count: Int) -> Int {
        let step = max(1, 1 << Int(log2(max(Double(count) / 20, 1))))
        return count - count % step
    }

    /// The trials the kernel is fitted on when there are too many: the best quarter, then an even spread.
    static func fitSubset(_ values: [Double], limit: Int) -> [Int] {
        let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
        var chosen = Set(order.prefix(limit / 4))
        let rest = order.dropFirst(limit / 4)
        let wanted = limit - chosen.count
        for k in 0..<wanted { chosen.insert(rest[rest.startIndex + k * rest.count / wanted]) }
        return chosen.sorted()
    }

    /// The coordinates of a trial on `axes` (unit interval; category index), or nil when one does not fit the space.
    static func coordinates(of params: ParameterSet, axes: [Parameter]) -> [Double]? {
        var x: [Double] = []
        x.reserveCapacity(axes.count)
        for axis in axes {
            guard let value = params[axis.name], axis.distribution.contains(value) else { return nil }
            if case .categorical(let choices) = axis.distribution {
                guard let index = choices.firstIndex(of: value) else { return nil }
                x.append(Double(index))
            } else {
                guard let u = axis.distribution.unit(of: value) else { return nil }
                x.append(min(max(u, 0), 1))
            }
        }
        return x
    }

    static func modelled(_ distribution: Distribution) -> Bool {
        switch distribution {
        case .float(let low, let high, _, _): return high > low
        case .int(let low, let high, _, _): return high > low
        case .categorical(let choices): return choices.count > 1
        }
    }
}

extension GPSampler {
    /// `searcher: {algorithm: gp, seed, n_startup, constant_liar, n_candidates}`.
    public static let entry = SamplerEntry(
        name: "gp", summary: "Gaussian-process BO: Matérn-5/2 ARD kernel, log expected improvement",
        options: [
            .int("n_startup", min: 1, "Sobol points before the model is used (default 10)"),
            .bool("constant_liar", "running trials count as the worst value so far, so parallel slots spread out (default true)"),
            .int("n_candidates", min: 16, "random candidates screened per suggestion before the L-BFGS refinement (default 1024)"),
        ]
    ) { context in
        GPSampler(
            seed: context.seed, startupTrials: context.options.int("n_startup", default: 10),
            constantLiar: context.options.bool("constant_liar", default: true), candidates: context.options.int("n_candidates", default: 1024))
    }
}
