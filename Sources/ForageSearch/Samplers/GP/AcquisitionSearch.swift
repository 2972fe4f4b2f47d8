import Foundation
import ForageCore
import ForageNumerics

/// Maximises log expected improvement over the unit box: screens seeded random candidates and perturbations of the
/// best observed points, then refines the best few with L-BFGS on the continuous coordinates (categoricals held).
struct AcquisitionSearch {
    let model: GPModel
    let axes: [Parameter]
    let best: Double
    /// The standardised value of each of the model's points.
    let values: [Double]
    /// Random candidates to screen (a quarter of them once the history passes 150 trials).
    let candidateCount: Int

    func maximize(rng: inout SplitMix64) -> [Double] {
        let n = model.points.count
        let d = axes.count
        let randomCount = n <= 150 ? candidateCount : max(candidateCount / 4, 16)
        var candidates: [[Double]] = []
        candidates.reserveCapacity(randomCount + 100)
        for _ in 0..<randomCount { candidates.append(randomPoint(&rng)) }
        // Perturbations of the best observed points.
        for anchor in bestObserved(5) {
            for _ in 0..<20 {
                var x = anchor
                for j in 0..<d where !model.categorical[j] { x[j] = min(max(x[j] + 0.05 * rng.nextGaussian(), 0), 1) }
                candidates.append(x)
            }
        }
        let screened = screen(candidates)
        let starts = screened.sorted { $0.score > $1.score }.prefix(max(1, min(n <= 150 ? 8 : 4, candidateCount / 32)))
        var winner = starts.first.map { ($0.x, $0.score) } ?? (randomPoint(&rng), -Double.infinity)
        let continuous = (0..<d).filter { !model.categorical[$0] }
        guard !continuous.isEmpty else { return winner.0 }
        for start in starts {
            let refined = refine(start.x, continuous: continuous, iterations: n <= 150 ? 40 : 20)
            if refined.score > winner.1 { winner = (refined.x, refined.score) }
        }
        return winner.0
    }

    /// The observed points with the smallest standardised values (lies for running trials carry the worst value,
    /// so they never come first).
    private func bestObserved(_ count: Int) -> [[Double]] {
        values.indices.sorted { (values[$0], $0) < (values[$1], $1) }.prefix(count).map { model.points[$0] }
    }

    private func randomPoint(_ rng: inout SplitMix64) -> [Double] {
        axes.map { axis in
            if case .categorical(let choices) = axis.distribution { return Double(min(Int(rng.nextUnit() * Double(choices.count)), choices.count - 1)) }
            return rng.nextUnit()
        }
    }

    /// log EI of each candidate, through one batched product `K*·K⁻¹` (BLAS) for the variances.
    private func screen(_ candidates: [[Double]]) -> [(x: [Double], score: Double)] {
        let n = model.points.count
        let m = candidates.count
        var cross = Matrix<Double>(rows: m, columns: n)
        for c in 0..<m {
            for i in 0..<n {
                cross[c, i] = model.kernel.scale
                    * GPModel.matern(GPModel.squaredDistance(candidates[c], model.points[i], kernel: model.kernel, categorical: model.categorical))
            }
        }
        guard let inverse = Matrix<Double>(rows: n, columns: n, storage: model.inverse) else { return [] }
        let projected = Matrix.product(cross, inverse)
        var result: [(x: [Double], score: Double)] = []
        result.reserveCapacity(m)
        for c in 0..<m {
            var mean = 0.0
            var quadratic = 0.0
            for i in 0..<n {
                mean += cross[c, i] * model.alpha[i]
                quadratic += cross[c, i] * projected[c, i]
            }
            let variance = max(model.kernel.scale - quadratic, 1e-12)
            let (score, _) = LogExpectedImprovement.evaluate(mean: mean, variance: variance, best: best, dMean: [], dVariance: [])
            result.append((candidates[c], score.isFinite ? score : -Double.infinity))
        }
        return result
    }

    /// L-BFGS on unbounded coordinates `t` mapped into the box by reflection (`x = 1 − |1 − (t mod 2)|`).
    private func refine(_ start: [Double], continuous: [Int], iterations: Int) -> (x: [Double], score: Double) {
        func point(_ t: [Double]) -> ([Double], [Double]) {
            var x = start
            var sign = [Double](repeating: 1, count: continuous.count)
            for (k, j) in continuous.enumerated() {
                let wrapped = t[k] - 2 * floor(t[k] / 2)
                x[j] = wrapped <= 1 ? wrapped : 2 - wrapped
                sign[k] = wrapped <= 1 ? 1 : -1
            }
            return (x, sign)
        }
        let result = LBFGS.minimize(start: continuous.map { start[$0] }, maxIterations: iterations, gradientTolerance: 1e-6) { t, gradient in
            let (x, sign) = point(t)
            let posterior = model.predict(x, withGradient: true)
            let (value, dx) = LogExpectedImprovement.evaluate(
                mean: posterior.mean, variance: posterior.variance, best: best, dMean: posterior.dMean, dVariance: posterior.dVariance)
            guard value.isFinite else {
                for k in gradient.indices { gradient[k] = 0 }
                return .infinity
            }
            for (k, j) in continuous.enumerated() { gradient[k] = -dx[j] * sign[k] }
            return -value
        }
        let (x, _) = point(result.x)
        return (x, result.value.isFinite ? -result.value : -Double.infinity)
    }
}
