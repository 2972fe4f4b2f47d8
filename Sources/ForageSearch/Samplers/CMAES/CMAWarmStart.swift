import Foundation
import ForageNumerics

/// The starting distribution WS-CMA-ES (Nomura et al., 2021; the `cmaes` package's `get_warm_start_mgd`) derives
/// from another task's solutions: the mean and covariance of the best `γ` fraction (at least one), widened by
/// `α²·I`, with `σ = det(Σ)^{1/2n}` and `C = Σ / σ²`.
enum CMAWarmStart {
    static let gamma = 0.1
    static let alpha = 0.1

    /// The warm-started state for `solutions` (unit-cube points with minimised values), or nil without any.
    static func state(from solutions: [(x: [Double], value: Double)], populationSize: Int?, diagonal: Bool = true) -> CMAState? {
        guard let n = solutions.first?.x.count, n > 0 else { return nil }
        let sorted = solutions.enumerated().sorted { ($0.element.value, $0.offset) < ($1.element.value, $1.offset) }.map(\.element.x)
        let top = Array(sorted.prefix(max(1, Int(gamma * Double(sorted.count)))))
        var mean = [Double](repeating: 0, count: n)
        for x in top { for i in 0..<n { mean[i] += x[i] / Double(top.count) } }
        var covariance = [Double](repeating: 0, count: n * n)
        for x in top {
            for i in 0..<n {
                for j in 0..<n { covariance[i * n + j] += (x[i] - mean[i]) * (x[j] - mean[j]) / Double(top.count) }
            }
        }
        for i in 0..<n { covariance[i * n + i] += alpha * alpha }
        guard let factor = try? CholeskyFactor(symmetric: covariance, count: n) else { return nil }
        let sigma = exp(factor.logDeterminant / Double(2 * n))
        guard sigma.isFinite, sigma > 0 else { return nil }
        var state = CMAState(mean: mean, sigma: sigma, populationSize: populationSize, diagonal: diagonal)
        state.covariance = covariance.map { $0 / (sigma * sigma) }
        state.decompose()
        return state
    }
}
