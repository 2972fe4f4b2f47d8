import Foundation
import ForageCore

/// The Tree-structured Parzen Estimator searcher (`searcher: tpe`), after Bergstra et al. (2011) and Optuna.
///
/// After `startupTrials` random draws (the same draws `RandomSampler` makes), the finished trials are split into the
/// best `γ·n` (at most 25) and the rest; a Parzen estimator `l(x)` is fitted to the good ones and `g(x)` to the bad
/// ones, `candidates` points (64 with one objective, 32 with several, by default) are drawn from `l`, and the one
/// maximising `log l(x) − log g(x)` is proposed.
///
/// - Bandwidths follow Optuna 5: per dimension, each kernel's is the larger gap to a neighbouring observation,
///   clipped between `range / min(100, 1 + kernels)` and the range; a prior kernel (centre of the range, the range as
///   bandwidth, weight 1) keeps every region reachable. Numeric parameters are modelled in log space for `log: true`
///   and integrated over their cells for integers and stepped floats; categoricals get smoothed counts.
/// - Bad trials are weighted with Optuna's ramp (older than the newest 25 count less).
/// - Two departures from Optuna, both making the search more precise on the benchmark problems (see
///   `SearchQualityBenchmark`): with one objective, good trials are weighted by rank, `1 / (1 + 5·rank/n_good)`, so
///   the best few attract more candidates (with several, every good trial weighs 1, as in Optuna: their order inside
///   a front is no preference); and the good estimator's smallest bandwidth is `range / min(100, 1 + max(n_good + 1, n/2))`
///   for `n` finished trials, instead of Optuna's `range / min(100, 2 + n_good)`, so it can sharpen as the history
///   grows although the good set stays small.
/// - `multivariate` (the default with one objective; with several the default is one by one — both as in Optuna 5,
///   and one by one reached a higher hypervolume on ZDT1/ZDT2/DTLZ2, see `ParetoBenchmark`): the unconditional
///   parameters are modelled jointly with product kernels; a candidate is one good kernel's joint draw. Conditional parameters are still modelled one by one,
///   and so is a parameter some trials lack (added after a warm start's trials ran).
///   Without it, every parameter has its own estimators and candidates.
/// - Conditional spaces: the space is walked in order, so a child is proposed only when active, and its
///   estimators only see the trials where it was active.
/// - `constantLiar`: running trials join the bad set (as if they had the worst value), so parallel slots spread out.
/// - Cost: bounded by at most 25 good and 500 bad trials (see `TPESplit`), whatever the history's length; beyond
///   1 000 finished trials, 100 bad ones evenly spread over the history (always with the newest) stand for the rest.
///
/// All randomness comes from `SplitMix64(seed: seed, stream: index)`: a draw depends on the history, seed and index.
public struct TPESampler: Sampler {
    public let seed: UInt64
    public let options: TPEOptions
    let tuning: Tuning
    /// The multi-objective ranking's candidates from the last suggestion (a speed-up only; see `LeadingFrontCache`).
    let frontCache = LeadingFrontCache()
    /// The observation rows of the last suggestion (a speed-up only; see `ObservationRowCache`).
    let rowCache = ObservationRowCache()

    /// Internal constants of the estimators (exposed to tests and benchmarks inside the module).
    struct Tuning: Sendable {
        var priorWeight = 1.0
        var magicClip = true
        var bandwidthScale = 1.0
        var goodDecay = 5.0
        var clipByHistory = 0.5
        var maxGood = 25
        var maxBad = 500
        /// Beyond `largeHistory` finished trials, the bad estimator keeps `maxBadLarge` of them (a bounded cost at
        /// 10 000 trials; smaller histories are unaffected).
        var largeHistory = 1_000
        var maxBadLarge = 100
        /// Choose among the candidates of one continuous parameter with the tighter bounds of
        /// `bestScalarCandidate` (a speed-up only: the same choice; off in tests to compare).
        var scalarBounds = true
    }

    /// Throws a `SamplerError` when an option is out of range.
    public init(seed: UInt64, options: TPEOptions = TPEOptions()) throws {
        try self.init(seed: seed, options: options, tuning: Tuning())
    }

    init(seed: UInt64, options: TPEOptions, tuning: Tuning) throws {
        guard options.startupTrials >= 0 else {
            throw SamplerError("tpe: startup_trials must be 0 or more (got \(options.startupTrials))")
        }
        if let candidates = options.candidates, candidates < 1 {
            throw SamplerError("tpe: candidates must be at least 1 (got \(candidates))")
        }
        guard options.gamma > 0, options.gamma <= 1 else {
            throw SamplerError("tpe: gamma must be in (0, 1] (got \(options.gamma))")
        }
        self.seed = seed
        self.options = options
        self.tuning = tuning
    }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        let split = TPESplit(
            history: history, gamma: options.gamma, constantLiar: options.constantLiar, maxGood: tuning.maxGood,
            maxBad: tuning.maxBad, largeHistory: tuning.largeHistory, maxBadLarge: tuning.maxBadLarge, cache: frontCache)
        guard split.finished >= max(options.startupTrials, 1) else {
            return RandomSampler(seed: seed).suggest(index: index, space: space, history: history)
        }
        var rng = SplitMix64Box(SplitMix64(seed: seed, stream: UInt64(index)))
        let weights = goodWeights(split, history: history)
        var names: [String] = []
        var axes: [TPEAxis] = []
        for parameter in space.parameters {
            guard let axis = TPEAxis(parameter.distribution) else { continue }
            names.append(parameter.name)
            axes.append(axis)
        }
        let shared = Shared(
            observations: TPEObservations(history: history, trials: split.good + split.bad, names: names, axes: axes, cache: rowCache),
            goodWeights: weights,
            goodMixture: .init(weights: weights ?? Array(repeating: 1, count: split.good.count), priorWeight: tuning.priorWeight),
            badMixture: .init(weights: split.badWeights, priorWeight: tuning.priorWeight),
            candidates: options.candidateCount(severalObjectives: history.goals.isMultiObjective))
        var joint: [String: ParameterValue] = [:]
        if options.multivariate ?? !history.goals.isMultiObjective {
            joint = suggestJointly(space: space, split: split, shared: shared, rng: &rng)
        }
        return space.assign { parameter, _ in
            if let value = joint[parameter.name] { return value }
            return suggestAlone(parameter, split: split, shared: shared, rng: &rng)
        }
    }

    /// What every parameter's estimators of one suggestion share: the trials' coordinates (good trials first), the
    /// good trials' weights, the mixtures of both sets' weights (used when no trial lacks the parameter), and the
    /// number of candidates to draw.
    private struct Shared {
        var observations: TPEObservations
        var goodWeights: [Double]?
        var goodMixture: ParzenEstimator.Mixture
        var badMixture: ParzenEstimator.Mixture
        var candidates: Int
    }

    /// Proposes the unconditional parameters together from product-kernel estimators.
    private func suggestJointly(
        space: SearchSpace, split: TPESplit, shared: Shared, rng: inout SplitMix64Box
    ) -> [String: ParameterValue] {
        var names: [String] = []
        var axes: [TPEAxis] = []
        // One lookup per observed trial and parameter, column by column (NaN: a value outside the distribution,
        // which drops that trial). A parameter some trial lacks (one added since a warm start's trials ran) is
        // modelled on its own from the trials that have it: jointly, those trials would drop out of every estimator.
        let observed = shared.observations.trials
        var columns: [[Double]] = []
        for parameter in space.parameters where parameter.condition.isEmpty {
            guard let axis = TPEAxis(parameter.distribution), let c = shared.observations.column(parameter.name) else { continue }
            var column: [Double] = []
            column.reserveCapacity(observed.count)
            var complete = true
            for row in observed.indices {
                let (entry, t) = shared.observations.entry(c, row)
                guard entry != .missing else {
                    complete = false
                    break
                }
                column.append(entry == .coordinate ? t : .nan)
            }
            guard complete else { continue }
            names.append(parameter.name)
            axes.append(axis)
            columns.append(column)
        }
        guard !axes.isEmpty else { return [:] }
        func observations(_ rows: Range<Int>, _ weights: [Double]?) -> ([Double], [Double]) {
            var points: [Double] = []
            var kept: [Double] = []
            points.reserveCapacity(rows.count * axes.count)
            var point = [Double](repeating: 0, count: axes.count)
            outer: for (k, row) in rows.enumerated() {
                for j in columns.indices {
                    let t = columns[j][row]
                    guard !t.isNaN else { continue outer }
                    point[j] = t
                }
                points.append(contentsOf: point)
                kept.append(weights?[k] ?? 1)
            }
            return (points, kept)
        }
        let (goodPoints, goodWeights) = observations(0..<split.good.count, shared.goodWeights)
        let (badPoints, badWeights) = observations(split.good.count..<observed.count, split.badWeights)
        let bandwidth = ParzenEstimator.Bandwidth.neighbour(scale: tuning.bandwidthScale)
        let l = ParzenEstimator(
            axes: axes, observations: goodPoints, weights: goodWeights, priorWeight: tuning.priorWeight, bandwidth: bandwidth,
            magicClip: tuning.magicClip, clipKernels: clipKernels(split, good: goodPoints.count / max(axes.count, 1)))
        let g = ParzenEstimator(
            axes: axes, observations: badPoints, weights: badWeights, priorWeight: tuning.priorWeight, bandwidth: bandwidth,
            magicClip: tuning.magicClip)
        let chosen = bestCandidate(l: l, g: g, count: shared.candidates, rng: &rng)
        var values: [String: ParameterValue] = [:]
        for (j, name) in names.enumerated() { values[name] = chosen[j] }
        return values
    }

    /// Weights of the good trials: decreasing with rank when `goodDecay` > 0 and there is one objective; 1 with
    /// several objectives, as in Optuna (the good set's order inside a front carries no preference).
    private func goodWeights(_ split: TPESplit, history: TrialHistory) -> [Double]? {
        let decay = tuning.goodDecay
        guard decay > 0, !history.goals.isMultiObjective else { return nil }
        let count = Double(max(split.good.count, 1))
        return split.goodRanks.map { 1 / (1 + decay * Double($0) / count) }
    }

    /// The kernel count behind the good estimator's smallest bandwidth, `range / min(100, 1 + count)`: Optuna's
    /// count of kernels, or a fraction of the finished trials when that is larger, so the good estimator may sharpen
    /// as the history grows even though the good set stays small.
    private func clipKernels(_ split: TPESplit, good: Int) -> Int {
        max(good + 1, Int(tuning.clipByHistory * Double(split.finished)))
    }

    /// Proposes one parameter from its own estimators.
    private func suggestAlone(_ parameter: Parameter, split: TPESplit, shared: Shared, rng: inout SplitMix64Box) -> ParameterValue {
        guard let axis = TPEAxis(parameter.distribution), let c = shared.observations.column(parameter.name) else {
            return parameter.distribution.value(atUnit: 0.5)
        }
        func observations(_ rows: Range<Int>, _ weights: [Double]?) -> ([Double], [Double]) {
            if let column = shared.observations.coordinates(c, rows) {
                // Every row has a coordinate: the column as it is, with every weight.
                return (Array(column), weights ?? Array(repeating: 1, count: rows.count))
            }
            var points: [Double] = []
            var kept: [Double] = []
            points.reserveCapacity(rows.count)
            kept.reserveCapacity(rows.count)
            for (k, row) in rows.enumerated() {
                let (entry, t) = shared.observations.entry(c, row)
                guard entry == .coordinate else { continue }
                points.append(t)
                kept.append(weights?[k] ?? 1)
            }
            return (points, kept)
        }
        let (goodPoints, goodWeights) = observations(0..<split.good.count, shared.goodWeights)
        let (badPoints, badWeights) = observations(split.good.count..<(split.good.count + split.bad.count), split.badWeights)
        let l = ParzenEstimator(
            axes: [axis], observations: goodPoints, weights: goodWeights, priorWeight: tuning.priorWeight, bandwidth: .neighbour(scale: tuning.bandwidthScale),
            magicClip: tuning.magicClip, clipKernels: clipKernels(split, good: goodPoints.count),
            mixture: goodPoints.count == split.good.count ? shared.goodMixture : nil)
        let g = ParzenEstimator(
            axes: [axis], observations: badPoints, weights: badWeights, priorWeight: tuning.priorWeight, bandwidth: .neighbour(scale: tuning.bandwidthScale),
            magicClip: tuning.magicClip, mixture: badPoints.count == split.bad.count ? shared.badMixture : nil)
        return bestCandidate(l: l, g: g, count: shared.candidates, rng: &rng)[0]
    }

    /// Draws `count` points from `l` and returns the values of the one with the largest `l/g`.
    private func bestCandidate(l: ParzenEstimator, g: ParzenEstimator, count: Int, rng: inout SplitMix64Box) -> [ParameterValue] {
        if tuning.scalarBounds && l.dimensions == 1 && l.allContinuous && g.allContinuous {
            return [bestScalarCandidate(l: l, g: g, count: count, rng: &rng)]
        }
        var values: [[ParameterValue]] = []
        var coordinates: [[Double]] = []
        values.reserveCapacity(count)
        coordinates.reserveCapacity(count)
        for _ in 0..<count {
            let raw = l.sample(&rng)
            var value: [ParameterValue] = []
            var snapped: [Double] = []
            for (j, axis) in l.axes.enumerated() {
                let (v, t) = axis.value(at: raw[j])
                value.append(v)
                snapped.append(t)
            }
            values.append(value)
            coordinates.append(snapped)
        }
        // The score is log l − log g. Log g is at least its largest kernel term, so `log l − largest term` bounds a
        // candidate's score from above: only candidates whose bound is not below the best exact score so far are
        // scored (see `argmax`; the choice is the full argmax's, ties to the first).
        // Most of g's exponentials are skipped (g has up to 500 kernels, l at most 26).
        let below = l.logDensities(coordinates)
        let floors = g.largestLogTerms(coordinates)
        let bounds = coordinates.indices.map { below[$0] - floors[$0] }
        return values[Self.argmax(bounds: bounds) { below[$0] - g.logDensity(coordinates[$0]) }]
    }

    /// The index of the largest `score` (ties to the first) among candidates whose scores are at most `bounds`
    /// (NaN: unknown), scoring as few as it can: the candidate with the largest bound first, then, in order, only
    /// those whose bound is not below the best score so far (a candidate below it can neither win nor tie).
    /// (The full argmax's choice: the first of the largest scores, or 0 when none is above −∞.)
    static func argmax(bounds: [Double], score: (Int) -> Double) -> Int {
        var first = 0
        for k in bounds.indices where bounds[k] > bounds[first] || (bounds[first].isNaN && !bounds[k].isNaN) { first = k }
        var bestIndex = 0
        var bestScore = -Double.infinity
        func consider(_ k: Int) {
            let value = score(k)
            if value > bestScore || (value == bestScore && k < bestIndex) {
                bestScore = value
                bestIndex = k
            }
        }
        consider(first)
        for k in bounds.indices where k != first && !(bounds[k] < bestScore) { consider(k) }
        return bestIndex
    }

    /// `bestCandidate` for one continuous parameter (the common case with several objectives, where every
    /// parameter is modelled on its own): the same draws and the same choice, with tighter bounds. A candidate's
    /// score `log l − log g` is bounded from above by an upper bound of `log l` (all of l's few kernels, with
    /// tabulated exponentials) minus a lower bound of `log g` (only the kernels of g nearest the candidate), plus a
    /// margin far above their rounding; only candidates whose bound can still beat the best exact score are scored
    /// exactly (`argmax`) — usually a few of the 32 or 64, which saves most of g's up to 501-term sums.
    private func bestScalarCandidate(l: ParzenEstimator, g: ParzenEstimator, count: Int, rng: inout SplitMix64Box) -> ParameterValue {
        let axis = l.axes[0]
        var values: [ParameterValue] = []
        var points: [Double] = []
        values.reserveCapacity(count)
        points.reserveCapacity(count)
        for _ in 0..<count {
            let (v, t) = axis.value(at: l.sampleScalar(&rng))
            values.append(v)
            points.append(t)
        }
        var scratchL = [Double](repeating: 0, count: l.kernels)
        var scratchG = [Double](repeating: 0, count: g.kernels)
        var bounds = [Double](repeating: 0, count: count)
        for k in 0..<count {
            let upper = l.upperLogDensity(points[k], scratch: &scratchL)
            let lower = g.lowerLogDensity(near: points[k], window: g.kernels > 200 ? 16 : 8)
            let bound = upper - lower + 1e-9 * (1 + abs(upper) + abs(lower))
            bounds[k] = bound.isNaN ? .infinity : bound
        }
        let best = Self.argmax(bounds: bounds) { k in
            l.scalarLogDensity(points[k], scratch: &scratchL) - g.scalarLogDensity(points[k], scratch: &scratchG)
        }
        return values[best]
    }
}

extension TPESampler {
    /// `searcher: {algorithm: tpe, seed, n_startup, n_candidates, gamma, multivariate, constant_liar}`.
    public static let entry = SamplerEntry(
        name: "tpe", summary: "Tree-structured Parzen Estimator", options: TPEOptions.keys
    ) { try TPESampler(seed: $0.seed, options: TPEOptions($0.options)) }
}
