import Foundation
import ForageNumerics

/// A Gaussian-process regression model with a Matérn-5/2 kernel and one inverse squared length scale per dimension
/// (ARD), fitted by maximising the log marginal likelihood plus Optuna's log prior on the kernel parameters.
///
/// Inputs live in the unit cube; a categorical dimension holds the choice's index and contributes `λ·[a ≠ b]` to the
/// squared distance (continuous dimensions `λ·(a − b)²`). Outputs are standardised before the fit.
struct GPModel {
    /// `k(a, b) = scale · m(Σ λᵢ dᵢ²)` with `m(d²) = (1 + √5 r + 5/3 r²) e^{−√5 r}`, `r = √d²`.
    struct Kernel: Sendable {
        var inverseSquaredLengthScales: [Double]
        var scale: Double
        var noise: Double
    }

    let points: [[Double]]
    let categorical: [Bool]
    let kernel: Kernel
    /// `K⁻¹ y` for the standardised outputs, and the Cholesky factor of `K` (posterior variances come from its
    /// triangular solves; the inverse is never formed).
    let alpha: [Double]
    let factor: CholeskyFactor

    static let minimumNoise = 1e-6

    /// Fits the kernel on `fitPoints` / `fitValues` (a subset for long histories) and conditions on all `points`.
    init?(points: [[Double]], values: [Double], categorical: [Bool], fitIndices: [Int]? = nil, maxIterations: Int = 200) {
        let fitPoints = fitIndices.map { $0.map { points[$0] } } ?? points
        let fitValues = fitIndices.map { $0.map { values[$0] } } ?? values
        let kernel = Self.fit(points: fitPoints, values: fitValues, categorical: categorical, maxIterations: maxIterations)
        self.init(points: points, values: values, categorical: categorical, kernel: kernel)
    }

    /// The kernel maximising the marginal likelihood plus prior on `points` / `values`, from Optuna's fixed start
    /// (every inverse squared length scale, the kernel scale and the noise at 1) to Optuna's tolerance (largest
    /// gradient component at most 0.01).
    static func fit(points: [[Double]], values: [Double], categorical: [Bool], maxIterations: Int = 200) -> Kernel {
        let dimensions = categorical.count
        var start = [Double](repeating: 0, count: dimensions + 2)
        start[dimensions + 1] = log(1 - minimumNoise)
        let distances = Self.squaredDifferences(points, categorical: categorical)
        let result = LBFGS.minimize(start: start, maxIterations: maxIterations, gradientTolerance: 1e-2) { theta, gradient in
            Self.negativeLogPosterior(theta: theta, differences: distances, values: values, count: points.count, gradient: &gradient)
        }
        return Self.kernel(result.value.isFinite ? result.x : start)
    }

    /// Conditions a GP with the given `kernel` on every point.
    init?(points: [[Double]], values: [Double], categorical: [Bool], kernel: Kernel) {
        self.points = points
        self.categorical = categorical
        self.kernel = kernel
        let n = points.count
        var matrix = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in 0...a {
                let k = kernel.scale * Self.matern(Self.squaredDistance(points[a], points[b], kernel: kernel, categorical: categorical))
                matrix[a * n + b] = k
                matrix[b * n + a] = k
            }
            matrix[a * n + a] += kernel.noise
        }
        guard let factor = try? CholeskyFactor(symmetric: matrix, count: n) else { return nil }
        alpha = factor.solve(values)
        self.factor = factor
    }

    /// Posterior mean and variance at `x`, with their gradients when `gradient` is asked for.
    func predict(_ x: [Double], withGradient: Bool) -> (mean: Double, variance: Double, dMean: [Double], dVariance: [Double]) {
        let n = points.count
        let d = categorical.count
        var k = [Double](repeating: 0, count: n)
        var dk = withGradient ? [Double](repeating: 0, count: n * d) : []
        for i in 0..<n {
            let squared = Self.squaredDistance(x, points[i], kernel: kernel, categorical: categorical)
            k[i] = kernel.scale * Self.matern(squared)
            if withGradient {
                let slope = kernel.scale * Self.maternSlope(squared)
                for j in 0..<d where !categorical[j] {
                    dk[i * d + j] = slope * 2 * kernel.inverseSquaredLengthScales[j] * (x[j] - points[i][j])
                }
            }
        }
        var mean = 0.0
        for i in 0..<n { mean += k[i] * alpha[i] }
        // kᵀK⁻¹k = |L⁻¹k|², and v = K⁻¹k = L⁻ᵀ(L⁻¹k) for the gradient.
        var v = k
        factor.solveLower(&v)
        var quadratic = 0.0
        for i in 0..<n { quadratic += v[i] * v[i] }
        let variance = max(kernel.scale - quadratic, 1e-12)
        guard withGradient else { return (mean, variance, [], []) }
        factor.solveUpper(&v)
        var dMean = [Double](repeating: 0, count: d)
        var dVariance = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d where !categorical[j] {
                dMean[j] += dk[i * d + j] * alpha[i]
                dVariance[j] -= 2 * v[i] * dk[i * d + j]
            }
        }
        return (mean, variance, dMean, dVariance)
    }

    // MARK: the fit

    static func kernel(_ theta: [Double]) -> Kernel {
        let d = theta.count - 2
        return Kernel(
            inverseSquaredLengthScales: theta.prefix(d).map { exp(min($0, 30)) }, scale: exp(min(theta[d], 30)),
            noise: minimumNoise + exp(min(theta[d + 1], 30)))
    }

    /// For every pair `(a, b)` with `b < a`, the per-dimension squared differences (1 for differing categories).
    static func squaredDifferences(_ points: [[Double]], categorical: [Bool]) -> [Double] {
        let n = points.count
        let d = categorical.count
        var result = [Double](repeating: 0, count: n * (n - 1) / 2 * d)
        var p = 0
        for a in 0..<n {
            for b in 0..<a {
                for j in 0..<d {
                    let diff = points[a][j] - points[b][j]
                    result[p * d + j] = categorical[j] ? (diff == 0 ? 0 : 1) : diff * diff
                }
                p += 1
            }
        }
        return result
    }

    /// The negative log marginal likelihood plus negative log prior, and its gradient in `theta`
    /// (`log λ₁…λ_d`, `log scale`, `log(noise − minimum)`).
    static func negativeLogPosterior(theta: [Double], differences: [Double], values: [Double], count n: Int, gradient: inout [Double]) -> Double {
        let d = theta.count - 2
        let kernel = kernel(theta)
        var matrix = [Double](repeating: 0, count: n * n)
        var slopes = [Double](repeating: 0, count: n * (n - 1) / 2)
        var p = 0
        for a in 0..<n {
            for b in 0..<a {
                var squared = 0.0
                for j in 0..<d { squared += kernel.inverseSquaredLengthScales[j] * differences[p * d + j] }
                let k = kernel.scale * matern(squared)
                matrix[a * n + b] = k
                matrix[b * n + a] = k
                slopes[p] = kernel.scale * maternSlope(squared)
                p += 1
            }
            matrix[a * n + a] = kernel.scale + kernel.noise
        }
        guard let factor = try? CholeskyFactor(symmetric: matrix, count: n), let inverse = try? factor.inverse() else {
            for i in gradient.indices { gradient[i] = 0 }
            return .infinity
        }
        let alpha = factor.solve(values)
        var dataFit = 0.0
        for i in 0..<n { dataFit += values[i] * alpha[i] }
        var value = 0.5 * dataFit + 0.5 * factor.logDeterminant + 0.5 * Double(n) * log(2 * Double.pi)
        // W = ααᵀ − K⁻¹; ∂(−log ML)/∂θ = −½ Σ W ∂K/∂θ.
        for i in gradient.indices { gradient[i] = 0 }
        p = 0
        for a in 0..<n {
            for b in 0..<a {
                let w = alpha[a] * alpha[b] - inverse[a * n + b]
                // Off-diagonal pairs count twice.
                let common = -w * slopes[p]
                for j in 0..<d { gradient[j] += common * differences[p * d + j] * kernel.inverseSquaredLengthScales[j] }
                gradient[d] -= w * matrix[a * n + b]
                p += 1
            }
            let w = alpha[a] * alpha[a] - inverse[a * n + a]
            gradient[d] -= 0.5 * w * kernel.scale
            gradient[d + 1] -= 0.5 * w * (kernel.noise - minimumNoise)
        }
        // Optuna's prior: −Σ(0.1/λ + 0.1λ) + Gamma(2, 1) on the scale + Gamma(1.1, 30) on the noise.
        for j in 0..<d {
            let lambda = kernel.inverseSquaredLengthScales[j]
            value += 0.1 / lambda + 0.1 * lambda
            gradient[j] += -0.1 / lambda + 0.1 * lambda
        }
        value -= log(kernel.scale) - kernel.scale
        gradient[d] -= 1 - kernel.scale
        value -= 0.1 * log(kernel.noise) - 30 * kernel.noise
        gradient[d + 1] -= (0.1 / kernel.noise - 30) * (kernel.noise - minimumNoise)
        return value
    }

    static func squaredDistance(_ a: [Double], _ b: [Double], kernel: Kernel, categorical: [Bool]) -> Double {
        var total = 0.0
        for j in 0..<categorical.count {
            let diff = a[j] - b[j]
            total += kernel.inverseSquaredLengthScales[j] * (categorical[j] ? (diff == 0 ? 0 : 1) : diff * diff)
        }
        return total
    }

    private static let sqrt5 = 5.0.squareRoot()

    /// Matérn-5/2 as a function of the squared distance.
    static func matern(_ squared: Double) -> Double {
        let r = squared.squareRoot()
        return (1 + sqrt5 * r + 5.0 / 3 * squared) * exp(-sqrt5 * r)
    }

    /// `dm/d(d²) = −5/6 (1 + √5 r) e^{−√5 r}`.
    static func maternSlope(_ squared: Double) -> Double {
        let r = squared.squareRoot()
        return -5.0 / 6 * (1 + sqrt5 * r) * exp(-sqrt5 * r)
    }
}
