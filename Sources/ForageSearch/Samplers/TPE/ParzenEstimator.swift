import Foundation

/// A Parzen (kernel density) estimator over one or more parameters: a weighted mixture with one product kernel per
/// observed trial plus a broad prior kernel, as in Optuna's TPE.
///
/// Numeric coordinates get truncated normal kernels (integrated over the value's cell for integers and stepped
/// floats); categorical ones get a kernel that puts most of its mass on the observed choice and spreads
/// `priorWeight / kernels` over every choice. The prior kernel sits in the middle of each range with the whole range
/// as its bandwidth (uniform over choices).
struct ParzenEstimator {
    /// How the numeric bandwidths are chosen.
    enum Bandwidth {
        /// Per dimension, the larger distance to the neighbouring observations (Optuna's rule, univariate and joint).
        case neighbour(scale: Double)
    }

    enum DimensionKind { case continuous, discrete, categorical }

    /// What an estimator derives from its weights alone (the log of each normalised weight, the prior's last, and
    /// their running sum for choosing a kernel): the same for every parameter modelled one by one from the same
    /// trials, so a suggestion computes it once.
    struct Mixture {
        let logWeights: [Double]
        let cumulative: [Double]

        init(weights: [Double], priorWeight: Double) {
            var allWeights = weights
            allWeights.append(priorWeight)
            let total = allWeights.reduce(0, +)
            var running = 0.0
            cumulative = allWeights.map { running += $0 / total; return running }
            logWeights = allWeights.map { Foundation.log(max($0 / total, 1e-300)) }
        }
    }

    let axes: [TPEAxis]
    let kinds: [DimensionKind]
    let lows: [Double]
    let highs: [Double]
    let dimensions: Int
    /// Whether every dimension is continuous (the tight path of `logTerms`).
    let allContinuous: Bool
    /// Number of kernels (observations + the prior, which is last).
    let kernels: Int
    /// Kernel centres, `kernels × dimensions` (categorical: the choice index; −1 for the prior).
    private(set) var mus: [Double]
    private var sigmas: [Double]
    private(set) var inverseSigmas: [Double]
    /// Per kernel: log weight minus the log normalisers of its continuous dimensions.
    private(set) var constants: [Double]
    /// One continuous dimension only: the observation kernels (not the prior) by increasing centre — their
    /// centres, inverse bandwidths and constants — for bounding the density near a point (`ScalarDensityBounds`).
    private(set) var sortedMus: [Double] = []
    private(set) var sortedInverseSigmas: [Double] = []
    private(set) var sortedConstants: [Double] = []
    /// Cumulative normalised kernel weights, for choosing a kernel.
    private var cumulative: [Double]
    /// Per categorical dimension: probability of the observed choice, of any other, and of each under the prior.
    private var logHit: [Double]
    private var logMiss: [Double]
    private var logUniform: [Double]
    private var hitProbability: [Double]

    /// `observations` holds the coordinates of each observation in turn (one per axis, `axes.count` per observation);
    /// `weights[i]` is the weight of observation `i`. `mixture`, when given, is `Mixture(weights:priorWeight:)` of
    /// these weights, computed once for several estimators.
    init(
        axes: [TPEAxis], observations: [Double], weights: [Double], priorWeight: Double, bandwidth: Bandwidth,
        magicClip: Bool = true, clipKernels: Int? = nil, mixture: Mixture? = nil
    ) {
        self.axes = axes
        let d = axes.count
        dimensions = d
        let n = weights.count
        kernels = n + 1
        var kinds: [DimensionKind] = []
        var lows: [Double] = []
        var highs: [Double] = []
        for axis in axes {
            switch axis.kind {
            case .numeric(let low, let high, _, let step):
                kinds.append(step == nil ? .continuous : .discrete)
                lows.append(low)
                highs.append(high)
            case .categorical(let count):
                kinds.append(.categorical)
                lows.append(0)
                highs.append(Double(count - 1))
            }
        }
        self.kinds = kinds
        allContinuous = !kinds.contains { $0 != .continuous }
        self.lows = lows
        self.highs = highs

        var mus = observations
        mus.append(contentsOf: repeatElement(0, count: d))
        var sigmas = [Double](repeating: 1, count: kernels * d)
        var sortedOrder: [Int] = []
        // (Per-dimension categorical tables stay empty, unallocated, when no dimension is categorical.)
        let tableSize = allContinuous ? 0 : d
        logHit = Array(repeating: 0, count: tableSize)
        logMiss = Array(repeating: 0, count: tableSize)
        logUniform = Array(repeating: 0, count: tableSize)
        hitProbability = Array(repeating: 0, count: tableSize)
        for j in 0..<d {
            let range = highs[j] - lows[j]
            if kinds[j] == .categorical {
                let choices = Double(axes[j].range)
                mus[n * d + j] = -1
                let epsilon = priorWeight / Double(kernels)
                logHit[j] = Foundation.log((1 + epsilon) / (1 + choices * epsilon))
                logMiss[j] = Foundation.log(epsilon / (1 + choices * epsilon))
                logUniform[j] = -Foundation.log(choices)
                hitProbability[j] = 1 / (1 + choices * epsilon)
                continue
            }
            mus[n * d + j] = 0.5 * (lows[j] + highs[j])
            let maxSigma = range
            let minSigma = magicClip ? range / min(100, 1 + Double(clipKernels ?? kernels)) : range * 1e-6
            switch bandwidth {
            case .neighbour(let scale):
                // Sort the observed centres; each takes the larger gap to its neighbours (the range's ends count as
                // neighbours only when there is a single observation), as Optuna does.
                // ((centre, position) pairs sorted by centre, then position: a stable order, read without indirection.)
                var order = (0..<n).map { (centre: mus[$0 * d + j], position: Int32($0)) }
                Self.sortByCentre(&order, low: lows[j], high: highs[j])
                for rank in 0..<n {
                    let i = Int(order[rank].position)
                    let x = order[rank].centre
                    let left = rank > 0 ? x - order[rank - 1].centre : (n == 1 ? x - lows[j] : 0)
                    let right = rank < n - 1 ? order[rank + 1].centre - x : (n == 1 ? highs[j] - x : 0)
                    sigmas[i * d + j] = min(max(scale * max(left, right), minSigma), maxSigma)
                }
                if d == 1 { sortedOrder = order.map { Int($0.position) } }
            }
            sigmas[n * d + j] = range
        }
        self.mus = mus
        self.sigmas = sigmas
        inverseSigmas = sigmas.map { 1 / $0 }

        let mixture = mixture ?? Mixture(weights: weights, priorWeight: priorWeight)
        cumulative = mixture.cumulative
        constants = []
        constants.reserveCapacity(kernels)
        // Most bandwidths are the same clipped minimum: its log is computed once per dimension (the same value).
        var lastSigma = [Double](repeating: .nan, count: d)
        var lastLogSigma = [Double](repeating: 0, count: d)
        for i in 0..<kernels {
            var c = mixture.logWeights[i]
            for j in 0..<d where kinds[j] != .categorical {
                let mu = mus[i * d + j]
                let sigma = sigmas[i * d + j]
                c -= NormalMath.logMass((lows[j] - mu) / sigma, (highs[j] - mu) / sigma)
                if kinds[j] == .continuous {
                    if sigma != lastSigma[j] {
                        lastSigma[j] = sigma
                        lastLogSigma[j] = Foundation.log(sigma)
                    }
                    c -= lastLogSigma[j] + NormalMath.logSqrtTwoPi
                }
            }
            constants.append(c)
        }
        if d == 1 && allContinuous {
            sortedMus = sortedOrder.map { mus[$0] }
            sortedInverseSigmas = sortedOrder.map { inverseSigmas[$0] }
            sortedConstants = sortedOrder.map { constants[$0] }
        }
    }

    /// Sorts pairs by centre, then position. Centres in `[low, high]` are first placed in one of `count` equal
    /// buckets (a counting sort, without the unpredictable comparisons that dominate sorting random centres); each
    /// bucket is then put in order on its own (by insertion when small) — on any input, so centres outside the
    /// range, clustered centres or a degenerate range only cost time.
    static func sortByCentre(_ order: inout [(centre: Double, position: Int32)], low: Double, high: Double) {
        let n = order.count
        let scale = Double(n) / (high - low)
        order.withUnsafeMutableBufferPointer { pairs in
            guard n > 16 && scale.isFinite && scale > 0 else {
                sortRange(pairs, 0, n)
                return
            }
            // Bucket b holds the centres with ⌊(centre − low)·scale⌋ = b (clamped): a monotone map, so the buckets
            // come in centre order.
            func bucket(_ centre: Double) -> Int {
                let b = (centre - low) * scale
                return b >= Double(n - 1) ? n - 1 : (b > 0 ? Int(b) : 0)
            }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n + 1) { starts in
                withUnsafeTemporaryAllocation(of: (centre: Double, position: Int32).self, capacity: n) { spare in
                    for b in 0...n { starts[b] = 0 }
                    for k in 0..<n { starts[bucket(pairs[k].centre) + 1] += 1 }
                    for b in 0..<n { starts[b + 1] += starts[b] }
                    for k in 0..<n {
                        let b = bucket(pairs[k].centre)
                        spare[starts[b]] = pairs[k]
                        starts[b] += 1
                    }
                    for k in 0..<n { pairs[k] = spare[k] }
                    // starts[b] is now the end of bucket b.
                    var begin = 0
                    for b in 0..<n {
                        if starts[b] - begin > 1 { sortRange(pairs, begin, starts[b]) }
                        begin = starts[b]
                    }
                }
            }
        }
    }

    /// Whether `a` comes before `b`: by centre, then position.
    @inline(__always)
    private static func precedes(_ a: (centre: Double, position: Int32), _ b: (centre: Double, position: Int32)) -> Bool {
        a.centre < b.centre || (a.centre == b.centre && a.position < b.position)
    }

    /// Sorts `pairs[begin..<end]` by centre, then position: by insertion (no closure calls) up to 16 pairs, with
    /// `sort` beyond.
    private static func sortRange(_ pairs: UnsafeMutableBufferPointer<(centre: Double, position: Int32)>, _ begin: Int, _ end: Int) {
        guard end - begin <= 16 else {
            var range = UnsafeMutableBufferPointer(rebasing: pairs[begin..<end])
            range.sort(by: precedes)
            return
        }
        guard end - begin > 1 else { return }
        for i in (begin + 1)..<end {
            let pair = pairs[i]
            var k = i
            while k > begin && precedes(pair, pairs[k - 1]) {
                pairs[k] = pairs[k - 1]
                k -= 1
            }
            pairs[k] = pair
        }
    }

    /// Draws raw coordinates (not yet snapped to the distributions) from the mixture.
    func sample(_ rng: inout SplitMix64Box) -> [Double] {
        let kernel = chooseKernel(&rng)
        var point = [Double](repeating: 0, count: dimensions)
        for j in 0..<dimensions {
            let mu = mus[kernel * dimensions + j]
            switch kinds[j] {
            case .categorical:
                let count = Int(highs[j]) + 1
                if mu >= 0 && rng.unit() < hitProbability[j] {
                    point[j] = mu
                } else {
                    point[j] = Double(min(Int(rng.unit() * Double(count)), count - 1))
                }
            case .continuous, .discrete:
                point[j] = NormalMath.sampleTruncated(
                    mu: mu, sigma: sigmas[kernel * dimensions + j], low: lows[j], high: highs[j], rng: &rng)
            }
        }
        return point
    }

    /// One continuous dimension: the draw `sample` makes, without the array.
    func sampleScalar(_ rng: inout SplitMix64Box) -> Double {
        let kernel = chooseKernel(&rng)
        return NormalMath.sampleTruncated(mu: mus[kernel], sigma: sigmas[kernel], low: lows[0], high: highs[0], rng: &rng)
    }

    /// The kernel a draw comes from (one uniform number).
    private func chooseKernel(_ rng: inout SplitMix64Box) -> Int {
        let u = rng.unit()
        for (i, c) in cumulative.enumerated() where u < c { return i }
        return kernels - 1
    }

    /// The log density (log probability for discrete dimensions) at each of `points` (snapped coordinates).
    func logDensities(_ points: [[Double]]) -> [Double] {
        var scratch = [Double](repeating: 0, count: kernels)
        return points.map { point in
            logTerms(point, into: &scratch)
            return scratch.withUnsafeBufferPointer { NormalMath.logSumExp($0) }
        }
    }

    /// The log density at one point: the same value `logDensities` gives for it.
    func logDensity(_ point: [Double]) -> Double {
        var scratch = [Double](repeating: 0, count: kernels)
        logTerms(point, into: &scratch)
        return scratch.withUnsafeBufferPointer { NormalMath.logSumExp($0) }
    }

    /// The largest kernel's log term at each of `points`: a lower bound of the log density (which adds the log of a
    /// sum of at least 1), without the exponentials.
    func largestLogTerms(_ points: [[Double]]) -> [Double] {
        var scratch = [Double](repeating: 0, count: kernels)
        return points.map { point in
            logTerms(point, into: &scratch)
            var top = -Double.infinity
            for v in scratch where v > top { top = v }
            return top
        }
    }

    /// Each kernel's log weight plus log density at `point`, into `out` (`kernels` values).
    private func logTerms(_ point: [Double], into out: inout [Double]) {
        let d = dimensions
        var cells: [(Double, Double)] = []
        if !allContinuous {
            cells = [(Double, Double)](repeating: (0, 0), count: d)
            for j in 0..<d where kinds[j] == .discrete {
                cells[j] = axes[j].cell(around: point[j]) ?? (point[j], point[j])
            }
        }
        let kernels = kernels
        out.withUnsafeMutableBufferPointer { out in
            mus.withUnsafeBufferPointer { mus in
                inverseSigmas.withUnsafeBufferPointer { inverse in
                    constants.withUnsafeBufferPointer { constants in
                        point.withUnsafeBufferPointer { x in
                            if allContinuous {
                                // The common case, kept tight: a sum of squared standardised distances.
                                for i in 0..<kernels {
                                    let base = i * d
                                    var q = 0.0
                                    for j in 0..<d {
                                        let z = (x[j] - mus[base + j]) * inverse[base + j]
                                        q += z * z
                                    }
                                    out[i] = constants[i] - 0.5 * q
                                }
                                return
                            }
                            for i in 0..<kernels {
                                var s = constants[i]
                                let base = i * d
                                for j in 0..<d {
                                    let mu = mus[base + j]
                                    switch kinds[j] {
                                    case .continuous:
                                        let z = (x[j] - mu) * inverse[base + j]
                                        s -= 0.5 * z * z
                                    case .discrete:
                                        let inv = inverse[base + j]
                                        s += NormalMath.logMass((cells[j].0 - mu) * inv, (cells[j].1 - mu) * inv)
                                    case .categorical:
                                        s += mu < 0 ? logUniform[j] : (mu == x[j] ? logHit[j] : logMiss[j])
                                    }
                                }
                                out[i] = s
                            }
                        }
                    }
                }
            }
        }
    }
}
