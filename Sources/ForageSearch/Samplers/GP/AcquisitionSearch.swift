import Foundation
import ForageCore
import ForageNumerics

/// Maximises log expected improvement over the unit box, as Optuna's `optimize_acqf_mixed` does: screens seeded
/// random candidates and perturbations of the best observed points, then refines with L-BFGS (continuous
/// coordinates, categoricals held, preconditioned by the kernel's length scales) from the best candidate, from
/// candidates drawn with probability ∝ EI (a roulette over the screened ones), and from the best observed point.
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
        let long = n > 150
        let randomCount = long ? max(candidateCount / 4, 16) : candidateCount
        var candidates: [[Double]] = []
        candidates.reserveCapacity(randomCount + 100)
        for _ in 0..<randomCount { candidates.append(randomPoint(&rng)) }
        // Perturbations of the best observed points.
        let anchors = bestObserved(5)
        for anchor in anchors {
            for _ in 0..<(long ? 10 : 20) {
                var x = anchor
                for j in 0..<d where !model.categorical[j] { x[j] = min(max(x[j] + 0.05 * rng.nextGaussian(), 0), 1) }
                candidates.append(x)
            }
        }
        let screened = screen(candidates)
        let starts = startPoints(screened, count: long ? 3 : 10, rng: &rng) + anchors.prefix(1).map { (x: $0, score: -Double.infinity) }
        var winner = screened.max { $0.score < $1.score }.map { ($0.x, $0.score) } ?? (randomPoint(&rng), -Double.infinity)
        let continuous = (0..<d).filter { !model.categorical[$0] }
        guard !continuous.isEmpty else { return winner.0 }
        for start in starts {
            let refined = refine(start.x, continuous: continuous, iterations: long ? 15 : 100)
            if refined.score > winner.1 { winner = (refined.x, refined.score) }
        }
        return winner.0
    }

    /// The best screened candidate, then up to `count − 1` more drawn without replacement with probability
    /// ∝ `exp(log EI − max log EI)`: good regions other than the best one get a local search too.
    private func startPoints(_ screened: [(x: [Double], score: Double)], count: Int, rng: inout SplitMix64) -> [(x: [Double], score: Double)] {
        guard let top = screened.indices.max(by: { screened[$0].score < screened[$1].score }) else { return [] }
        let maximum = screened[top].score
        var weights = screened.map { $0.score.isFinite ? exp($0.score - maximum) : 0 }
        weights[top] = 0
        var chosen = [screened[top]]
        while chosen.count < count {
            let total = weights.reduce(0, +)
            guard total > 0, total.isFinite else { break }
            var target = rng.nextUnit() * total
            var pick = weights.count - 1
            for (k, w) in weights.enumerated() where w > 0 {
                target -= w
                if target <= 0 {
                    pick = k
                    break
                }
            }
            guard weights[pick] > 0 else { break }
            chosen.append(screened[pick])
            weights[pick] = 0
        }
        return chosen
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

    /// log EI of each candidate, with the variances from one batched triangular solve `L⁻¹·K*ᵀ` (BLAS `dtrsm`).
    private func screen(_ candidates: [[Double]]) -> [(x: [Double], score: Double)] {
        let n = model.points.count
        let m = candidates.count
        // cross[i·m + c] = k(candidate c, point i): the right-hand sides, one column per candidate.
        var cross = [Double](repeating: 0, count: n * m)
        var means = [Double](repeating: 0, count: m)
        for c in 0..<m {
            var mean = 0.0
            for i in 0..<n {
                let k = model.kernel.scale
                    * GPModel.matern(GPModel.squaredDistance(candidates[c], model.points[i], kernel: model.kernel, categorical: model.categorical))
                cross[i * m + c] = k
                mean += k * model.alpha[i]
            }
            means[c] = mean
        }
        model.factor.solveLower(&cross, columns: m)
        var quadratics = [Double](repeating: 0, count: m)
        for i in 0..<n {
            for c in 0..<m { quadratics[c] += cross[i * m + c] * cross[i * m + c] }
        }
        var result: [(x: [Double], score: Double)] = []
        result.reserveCapacity(m)
        for c in 0..<m {
            let variance = max(model.kernel.scale - quadratics[c], 1e-12)
            let (score, _) = LogExpectedImprovement.evaluate(mean: means[c], variance: variance, best: best, dMean: [], dVariance: [])
            result.append((candidates[c], score.isFinite ? score : -Double.infinity))
        }
        return result
    }

    /// L-BFGS on unbounded coordinates `t = x / ℓ` (`ℓ` the length scale of each dimension, so every direction is
    /// equally curved, as Optuna preconditions), mapped into the box by reflection (`x = 1 − |1 − (x mod 2)|`).
    private func refine(_ start: [Double], continuous: [Int], iterations: Int) -> (x: [Double], score: Double) {
        let scales = continuous.map { 1 / model.kernel.inverseSquaredLengthScales[$0].squareRoot() }
        func point(_ t: [Double]) -> ([Double], [Double]) {
            var x = start
            var sign = [Double](repeating: 1, count: continuous.count)
            for (k, j) in continuous.enumerated() {
                let raw = t[k] * scales[k]
                let wrapped = raw - 2 * floor(raw / 2)
                x[j] = wrapped <= 1 ? wrapped : 2 - wrapped
                sign[k] = wrapped <= 1 ? 1 : -1
            }
            return (x, sign)
        }
        let initial = continuous.enumerated().map { k, j in start[j] / scales[k] }
        let result = LBFGS.minimize(start: initial, maxIterations: iterations, gradientTolerance: 1e-6) { t, gradient in
            let (x, sign) = point(t)
            let posterior = model.predict(x, withGradient: true)
            let (value, dx) = LogExpectedImprovement.evaluate(
                mean: posterior.mean, variance: posterior.variance, best: best, dMean: posterior.dMean, dVariance: posterior.dVariance)
            guard value.isFinite else {
                for k in gradient.indices { gradient[k] = 0 }
                return .infinity
            }
            for (k, j) in continuous.enumerated() { gradient[k] = -dx[j] * sign[k] * scales[k] }
            return -value
        }
        let (x, _) = point(result.x)
        return (x, result.value.isFinite ? -result.value : -Double.infinity)
    }
}
