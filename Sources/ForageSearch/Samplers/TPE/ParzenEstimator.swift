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
        /// Per dimension, the larger distance to the neighbouring observations (univariate TPE).
        case neighbour
        /// One bandwidth per dimension, `factor · kernels^(−1/(d+4)) · range` (multivariate TPE).
        case scott(factor: Double)
    }

    private enum DimensionKind { case continuous, discrete, categorical }

    let axes: [TPEAxis]
    private let kinds: [DimensionKind]
    private let lows: [Double]
    private let highs: [Double]
    private let dimensions: Int
    /// Number of kernels (observations + the prior, which is last).
    let kernels: Int
    /// Kernel centres, `kernels × dimensions` (categorical: the choice index; −1 for the prior).
    private var mus: [Double]
    private var sigmas: [Double]
    /// Per kernel: log weight minus the log normalisers of its continuous dimensions.
    private var constants: [Double]
    /// Cumulative normalised kernel weights, for choosing a kernel.
    private var cumulative: [Double]
    /// Per categorical dimension: probability of the observed choice, of any other, and of each under the prior.
    private var logHit: [Double]
    private var logMiss: [Double]
    private var logUniform: [Double]
    private var hitProbability: [Double]

    /// `observations[i]` holds the coordinates of observation `i` (one per axis); `weights[i]` its weight.
    init(
        axes: [TPEAxis], observations: [[Double]], weights: [Double], priorWeight: Double, bandwidth: Bandwidth,
        magicClip: Bool = true
    ) {
        self.axes = axes
        let d = axes.count
        dimensions = d
        let n = observations.count
        kernels = n + 1
        var kinds: [DimensionKind] = []
        var lows: [Double] = []
        var highs: [Double] = []
        var numericCount = 0
        for axis in axes {
            switch axis.kind {
            case .numeric(let low, let high, _, let step):
                kinds.append(step == nil ? .continuous : .discrete)
                lows.append(low)
                highs.append(high)
                numericCount += 1
            case .categorical(let count):
                kinds.append(.categorical)
                lows.append(0)
                highs.append(Double(count - 1))
            }
        }
        self.kinds = kinds
        self.lows = lows
        self.highs = highs

        var mus = [Double](repeating: 0, count: kernels * d)
        var sigmas = [Double](repeating: 1, count: kernels * d)
        for (i, point) in observations.enumerated() {
            for j in 0..<d { mus[i * d + j] = point[j] }
        }
        logHit = Array(repeating: 0, count: d)
        logMiss = Array(repeating: 0, count: d)
        logUniform = Array(repeating: 0, count: d)
        hitProbability = Array(repeating: 0, count: d)
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
            let minSigma = magicClip ? range / min(100, 1 + Double(kernels)) : range * 1e-6
            switch bandwidth {
            case .scott(let factor):
                let sigma = factor * Foundation.pow(Double(kernels), -1 / Double(numericCount + 4)) * range
                for i in 0..<n { sigmas[i * d + j] = min(max(sigma, minSigma), maxSigma) }
            case .neighbour:
                // Sort the centres (prior included) and take the larger gap to a neighbour.
                let order = (0...n).sorted { mus[$0 * d + j] < mus[$1 * d + j] }
                for (rank, i) in order.enumerated() where i < n {
                    let x = mus[i * d + j]
                    let left = rank > 0 ? x - mus[order[rank - 1] * d + j] : 0
                    let right = rank < n ? mus[order[rank + 1] * d + j] - x : 0
                    sigmas[i * d + j] = min(max(max(left, right), minSigma), maxSigma)
                }
            }
            sigmas[n * d + j] = range
        }
        self.mus = mus
        self.sigmas = sigmas

        var allWeights = weights
        allWeights.append(priorWeight)
        let total = allWeights.reduce(0, +)
        var running = 0.0
        cumulative = allWeights.map { running += $0 / total; return running }
        constants = []
        constants.reserveCapacity(kernels)
        for i in 0..<kernels {
            var c = Foundation.log(max(allWeights[i] / total, 1e-300))
            for j in 0..<d where kinds[j] != .categorical {
                let mu = mus[i * d + j]
                let sigma = sigmas[i * d + j]
                c -= NormalMath.logMass((lows[j] - mu) / sigma, (highs[j] - mu) / sigma)
                if kinds[j] == .continuous { c -= Foundation.log(sigma) + NormalMath.logSqrtTwoPi }
            }
            constants.append(c)
        }
    }

    /// Draws raw coordinates (not yet snapped to the distributions) from the mixture.
    func sample(_ rng: inout SplitMix64Box) -> [Double] {
        let u = rng.unit()
        var kernel = kernels - 1
        for (i, c) in cumulative.enumerated() where u < c {
            kernel = i
            break
        }
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

    /// The log density (log probability for discrete dimensions) at each of `points` (snapped coordinates).
    func logDensities(_ points: [[Double]]) -> [Double] {
        var scratch = [Double](repeating: 0, count: kernels)
        var cells = [(Double, Double)](repeating: (0, 0), count: dimensions)
        var result: [Double] = []
        result.reserveCapacity(points.count)
        let d = dimensions
        for point in points {
            for j in 0..<d where kinds[j] == .discrete {
                cells[j] = axes[j].cell(around: point[j]) ?? (point[j], point[j])
            }
            mus.withUnsafeBufferPointer { mus in
                sigmas.withUnsafeBufferPointer { sigmas in
                    for i in 0..<kernels {
                        var s = constants[i]
                        let base = i * d
                        for j in 0..<d {
                            let mu = mus[base + j]
                            switch kinds[j] {
                            case .continuous:
                                let z = (point[j] - mu) / sigmas[base + j]
                                s -= 0.5 * z * z
                            case .discrete:
                                let sigma = sigmas[base + j]
                                s += NormalMath.logMass((cells[j].0 - mu) / sigma, (cells[j].1 - mu) / sigma)
                            case .categorical:
                                s += mu < 0 ? logUniform[j] : (mu == point[j] ? logHit[j] : logMiss[j])
                            }
                        }
                        scratch[i] = s
                    }
                }
            }
            result.append(scratch.withUnsafeBufferPointer { NormalMath.logSumExp($0) })
        }
        return result
    }
}
