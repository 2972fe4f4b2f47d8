import Foundation

/// `log EI` of a normal posterior, computed stably far into the tail (Ament et al., 2023, "Unexpected improvements
/// to expected improvement"), with its derivative.
enum LogExpectedImprovement {
    private static let logSqrtTwoPi = 0.5 * log(2 * Double.pi)

    /// `log h(z)` and `d log h / dz` for `h(z) = φ(z) + z Φ(z)`, so that `log EI = log σ + log h((best − μ)/σ)`.
    static func logH(_ z: Double) -> (value: Double, slope: Double) {
        let cdf = 0.5 * erfc(-z / 2.0.squareRoot())
        // Down to z = −25 the direct form loses at most about log10(z²) ≈ 3 digits to cancellation.
        if z > -25 {
            let pdf = exp(-0.5 * z * z - logSqrtTwoPi)
            let h = max(pdf + z * cdf, 1e-300)
            return (log(h), cdf / h)
        }
        // Below: h(z) ≈ φ(z)/z² · (1 − 3/z² + 15/z⁴ − 105/z⁶), whose slope is about −z − 2/z.
        let z2 = z * z
        let series = 1 - 3 / z2 + 15 / (z2 * z2) - 105 / (z2 * z2 * z2)
        let logValue = -0.5 * z2 - logSqrtTwoPi - log(z2) + log(series)
        return (logValue, -z - 2 / z)
    }

    /// `log EI` at a posterior `(mean, variance)` against the best value `best` (minimisation), with its gradient
    /// given the gradients of the mean and the variance.
    static func evaluate(mean: Double, variance: Double, best: Double, dMean: [Double], dVariance: [Double]) -> (Double, [Double]) {
        let sigma = variance.squareRoot()
        let z = (best - mean) / sigma
        let (value, slope) = logH(z)
        var gradient = [Double](repeating: 0, count: dMean.count)
        for j in 0..<dMean.count {
            let dSigma = dVariance[j] / (2 * sigma)
            let dz = (-dMean[j] - z * dSigma) / sigma
            gradient[j] = dSigma / sigma + slope * dz
        }
        return (log(sigma) + value, gradient)
    }
}
