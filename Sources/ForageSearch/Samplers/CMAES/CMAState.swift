import Foundation
import ForageNumerics

/// The state of one CMA-ES run (Hansen's (μ/μ_w, λ)-CMA-ES with negative weights, as in the `cmaes` package that
/// Optuna uses), minimising in the unit cube. It is rebuilt from the trial history by replaying `tell` for every
/// finished generation, so it is never stored.
///
/// With `diagonal` (the default), the sampling covariance is `diag(scales)·C·diag(scales)`: dd-CMA's diagonal
/// decoding (Akimoto & Hansen, "Diagonal acceleration for covariance matrix adaptation evolution strategies",
/// Evolutionary Computation 28(3), 2020) adapts the coordinate scales with their own, faster learning rates
/// (`DiagonalRates`), and `C` is kept a correlation matrix (its diagonal moved into `scales` after each update).
/// `C` itself is updated as the `cmaes` package updates it, from the steps with the scales divided out.
struct CMAState {
    let dimensions: Int
    let populationSize: Int
    let mu: Int
    let weights: [Double]
    let muEffective: Double
    let cSigma, dSigma, cc, c1, cMu, chiN: Double
    let sigma0: Double

    var mean: [Double]
    var sigma: Double
    /// Row-major covariance `C`.
    var covariance: [Double]
    var pSigma: [Double]
    var pC: [Double]
    var generation = 0
    /// The best and worst value of each recent generation (for the flat-fitness stop).
    var valueRanges: [(Double, Double)] = []
    /// `B` (eigenvectors as rows) and `D` (square roots of the eigenvalues) of `covariance`.
    private(set) var eigenvectors: [Double]
    private(set) var axisLengths: [Double]
    /// dd-CMA's learning rates and weights (nil: plain CMA-ES, `scales` stay 1).
    let diagonal: DiagonalRates?
    /// The diagonal decoding: each coordinate's scale (all 1 without `diagonal`).
    private(set) var scales: [Double]
    /// The evolution path of the diagonal update and its normaliser.
    private var pD: [Double]
    private var gammaD = 0.0

    /// dd-CMA's constants for the diagonal update (Akimoto & Hansen 2020, section 3).
    struct DiagonalRates {
        let c1, cMu, cc: Double
        /// Recombination weights of the diagonal update: the positive ones sum to 1, the negative ones to
        /// `−min(1 + c1/cμ, 1 + 2μ⁻/(μ_eff + 2))`.
        let weights: [Double]

        init(dimensions n: Int, populationSize lambda: Int, muEffective muEff: Double) {
            let raw = (0..<lambda).map { log(Double(lambda + 1) / 2) - log(Double($0 + 1)) }
            let mPrime = muEff + 1 / muEff - 2 + Double(lambda) / Double(2 * lambda + 10)
            c1 = 1 / (4 * pow(Double(n + 1), 0.75) + muEff / 2)
            cMu = min(1 - c1, mPrime * c1)
            cc = (muEff * c1).squareRoot() / 2
            let positiveSum = raw.filter { $0 > 0 }.reduce(0, +)
            let negativeSum = abs(raw.filter { $0 < 0 }.reduce(0, +))
            let normalised = raw.map { $0 > 0 ? $0 / positiveSum : $0 / max(negativeSum, 1e-300) }
            let negativeSquares = normalised.filter { $0 < 0 }.reduce(0) { $0 + $1 * $1 }
            let muEffMinus = negativeSquares > 0 ? 1 / negativeSquares : 0
            let scale = min(1 + c1 / cMu, 1 + 2 * muEffMinus / (muEff + 2))
            weights = normalised.map { $0 < 0 ? $0 * scale : $0 }
        }
    }

    init(mean: [Double], sigma: Double, populationSize: Int? = nil, diagonal: Bool = true) {
        let n = mean.count
        dimensions = n
        let lambda = max(populationSize ?? (4 + Int(floor(3 * log(Double(n))))), 2)
        self.populationSize = lambda
        mu = lambda / 2
        let raw = (0..<lambda).map { log(Double(lambda + 1) / 2) - log(Double($0 + 1)) }
        let positive = raw.prefix(mu)
        let muEff = pow(positive.reduce(0, +), 2) / positive.reduce(0) { $0 + $1 * $1 }
        let negative = raw.suffix(from: mu)
        let negativeSquares = negative.reduce(0) { $0 + $1 * $1 }
        let muEffMinus = negativeSquares > 0 ? pow(negative.reduce(0, +), 2) / negativeSquares : 0
        let alphaCov = 2.0
        let c1 = alphaCov / (pow(Double(n) + 1.3, 2) + muEff)
        let cMu = min(1 - c1 - 1e-8, alphaCov * (muEff - 2 + 1 / muEff) / (pow(Double(n + 2), 2) + alphaCov * muEff / 2))
        let minAlpha = min(1 + c1 / cMu, 1 + 2 * muEffMinus / (muEff + 2), (1 - c1 - cMu) / (Double(n) * cMu))
        let positiveSum = raw.filter { $0 > 0 }.reduce(0, +)
        let negativeSum = abs(raw.filter { $0 < 0 }.reduce(0, +))
        weights = raw.map { $0 >= 0 ? $0 / positiveSum : minAlpha * $0 / max(negativeSum, 1e-300) }
        muEffective = muEff
        cSigma = (muEff + 2) / (Double(n) + muEff + 5)
        dSigma = 1 + 2 * max(0, ((muEff - 1) / Double(n + 1)).squareRoot() - 1) + cSigma
        cc = (4 + muEff / Double(n)) / (Double(n) + 4 + 2 * muEff / Double(n))
        self.c1 = c1
        self.cMu = cMu
        chiN = Double(n).squareRoot() * (1 - 1 / (4 * Double(n)) + 1 / (21 * Double(n * n)))
        sigma0 = sigma
        self.mean = mean
        self.sigma = sigma
        covariance = (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 }
        pSigma = [Double](repeating: 0, count: n)
        pC = pSigma
        eigenvectors = covariance
        axisLengths = [Double](repeating: 1, count: n)
        self.diagonal = diagonal ? DiagonalRates(dimensions: n, populationSize: lambda, muEffective: muEff) : nil
        scales = [Double](repeating: 1, count: n)
        pD = pSigma
    }

    /// Recomputes `B` and `D` from `C` (symmetrised; tiny or negative eigenvalues are lifted to ε).
    mutating func decompose() {
        let n = dimensions
        for i in 0..<n {
            for j in 0..<i {
                let average = (covariance[i * n + j] + covariance[j * n + i]) / 2
                covariance[i * n + j] = average
                covariance[j * n + i] = average
            }
        }
        guard let eigen = try? SymmetricEigen(symmetric: covariance, count: n) else { return }
        eigenvectors = eigen.vectors
        axisLengths = eigen.values.map { max($0, 1e-30).squareRoot() }
    }

    /// `y = diag(scales)·B·diag(D)·z` for a standard normal `z`: a step of the sampling distribution before `sigma`.
    func step(from z: [Double]) -> [Double] {
        let n = dimensions
        var y = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let scaled = axisLengths[k] * z[k]
            for i in 0..<n { y[i] += eigenvectors[k * n + i] * scaled }
        }
        for i in 0..<n { y[i] *= scales[i] }
        return y
    }

    /// `C^{-1/2}·y = B·diag(1/D)·Bᵀ·y`.
    func whiten(_ y: [Double]) -> [Double] {
        let n = dimensions
        var result = [Double](repeating: 0, count: n)
        for k in 0..<n {
            var projection = 0.0
            for i in 0..<n { projection += eigenvectors[k * n + i] * y[i] }
            projection /= axisLengths[k]
            for i in 0..<n { result[i] += eigenvectors[k * n + i] * projection }
        }
        return result
    }

    /// Updates the distribution with one generation of `(point, value)` pairs (values are minimised).
    ///
    /// `mirrored`: the generation was drawn in mirrored pairs (`x = m ± σ·y`). When both points of a pair are
    /// selected their steps partly cancel in the weighted mean step, so the usual normaliser `√μ_eff` of the
    /// evolution paths would see a step shorter than the search distribution's and shrink σ even under random
    /// selection. The paths are normalised instead by `1 / ‖c‖` (`√` of `pairedMuEffective`), where `c_j` is the weight the mean step puts on
    /// pair `j`'s base step (the weight of its `+` point minus that of its `−` point; an unpaired point's own
    /// weight): under random selection the normalised step is then standard normal again, as without mirroring; it
    /// equals `√μ_eff` whenever at most one point of each pair is selected. Pairs are recognised from the points
    /// themselves (steps that are each other's negatives), so a failed trial or a clipped point just leaves its
    /// partner unpaired.
    mutating func tell(_ solutions: [(x: [Double], value: Double)], mirrored: Bool = false) {
        let n = dimensions
        generation += 1
        let sorted = solutions.enumerated().sorted { ($0.element.value, $0.offset) < ($1.element.value, $1.offset) }.map(\.element)
        valueRanges.append((sorted.first?.value ?? 0, sorted.last?.value ?? 0))
        if valueRanges.count > 10 + Int(ceil(30 * Double(n) / Double(populationSize))) { valueRanges.removeFirst() }
        decompose()
        let ys = sorted.map { solution in (0..<n).map { (solution.x[$0] - mean[$0]) / sigma } }
        // The steps with the diagonal decoding divided out: distributed as `N(0, C)`.
        let bare = ys.map { y in (0..<n).map { y[$0] / scales[$0] } }
        var yW = [Double](repeating: 0, count: n)
        var bareW = [Double](repeating: 0, count: n)
        for k in 0..<min(mu, ys.count) {
            for i in 0..<n {
                yW[i] += weights[k] * ys[k][i]
                bareW[i] += weights[k] * bare[k][i]
            }
        }
        for i in 0..<n { mean[i] += sigma * yW[i] }
        let whitened = whiten(bareW)
        let normalised = mirrored ? Self.pairedMuEffective(steps: ys, weights: weights, mu: mu) : muEffective
        let sigmaScale = (cSigma * (2 - cSigma) * normalised).squareRoot()
        for i in 0..<n { pSigma[i] = (1 - cSigma) * pSigma[i] + sigmaScale * whitened[i] }
        let normPSigma = pSigma.reduce(0) { $0 + $1 * $1 }.squareRoot()
        sigma = min(sigma * exp((cSigma / dSigma) * (normPSigma / chiN - 1)), 1e32)
        let left = normPSigma / (1 - pow(1 - cSigma, Double(2 * (generation + 1)))).squareRoot()
        let hSigma: Double = left < (1.4 + 2 / Double(n + 1)) * chiN ? 1 : 0
        let cScale = (cc * (2 - cc) * normalised).squareRoot()
        for i in 0..<n { pC[i] = (1 - cc) * pC[i] + hSigma * cScale * yW[i] }
        let pCBare = (0..<n).map { pC[$0] / scales[$0] }
        // `C^{-1/2}·ȳ` of each step under the distribution the generation was drawn from.
        let zs = bare.map(whiten)
        let zSquares = zs.map { $0.reduce(0) { $0 + $1 * $1 } }
        let deltaH = (1 - hSigma) * cc * (2 - cc)
        let weightSum = weights.reduce(0, +)
        let decay = 1 + c1 * deltaH - c1 - cMu * weightSum
        for index in 0..<(n * n) { covariance[index] *= decay }
        for i in 0..<n {
            for j in 0..<n { covariance[i * n + j] += c1 * pCBare[i] * pCBare[j] }
        }
        for (k, y) in bare.enumerated() where k < weights.count {
            var w = weights[k]
            if w < 0 { w *= Double(n) / (zSquares[k] + 1e-8) }
            let scale = cMu * w
            for i in 0..<n {
                for j in 0..<n { covariance[i * n + j] += scale * y[i] * y[j] }
            }
        }
        if let diagonal { updateScales(diagonal, yW: yW, zs: zs, zSquares: zSquares, hSigma: hSigma, normalised: normalised) }
        decompose()
    }

    /// dd-CMA's diagonal update (from the steps `zs` in the coordinates of the `C` they were drawn under), damped by
    /// `1 / max(1, √cond(C) − 1)`, then `C` turned back into a correlation matrix by moving its diagonal into
    /// `scales`.
    private mutating func updateScales(
        _ rates: DiagonalRates, yW: [Double], zs: [[Double]], zSquares: [Double], hSigma: Double, normalised: Double
    ) {
        let n = dimensions
        let pathScale = (rates.cc * (2 - rates.cc) * normalised).squareRoot()
        for i in 0..<n { pD[i] = (1 - rates.cc) * pD[i] + hSigma * pathScale * yW[i] }
        gammaD = (1 - rates.cc) * (1 - rates.cc) * gammaD + hSigma * rates.cc * (2 - rates.cc)
        let path = whiten((0..<n).map { pD[$0] / scales[$0] })
        var delta = (0..<n).map { rates.c1 * (path[$0] * path[$0] - gammaD) }
        let weightSum = rates.weights.prefix(zs.count).reduce(0, +)
        for (k, z) in zs.enumerated() where k < rates.weights.count {
            var w = rates.weights[k]
            if w < 0 { w *= Double(n) / (zSquares[k] + 1e-8) }
            for i in 0..<n { delta[i] += rates.cMu * w * z[i] * z[i] }
        }
        for i in 0..<n { delta[i] -= rates.cMu * weightSum }
        let largest = axisLengths.max() ?? 1
        let smallest = axisLengths.min() ?? 1
        let beta = 1 / max(1, largest / max(smallest, 1e-300) - 1)
        for i in 0..<n { scales[i] *= exp(beta / 2 * delta[i]) }
        let diagonalRoots = (0..<n).map { max(covariance[$0 * n + $0], 1e-300).squareRoot() }
        for i in 0..<n {
            scales[i] *= diagonalRoots[i]
            for j in 0..<n { covariance[i * n + j] /= diagonalRoots[i] * diagonalRoots[j] }
        }
    }

    /// `1 / ‖c‖²` for steps `ys` sorted best first (see `tell`; `μ_eff` itself when no pair has both points
    /// selected): `c` has one entry per mirrored pair (the positive
    /// weight of its first point minus that of its partner) and one per unpaired point (its positive weight); points
    /// ranked `mu` or worse weigh 0. Two steps are a pair when they are each other's negatives to rounding.
    static func pairedMuEffective(steps ys: [[Double]], weights: [Double], mu: Int) -> Double {
        let positive = ys.indices.map { $0 < mu && $0 < weights.count ? weights[$0] : 0 }
        func mirrors(_ a: [Double], _ b: [Double]) -> Bool {
            for i in a.indices where !(abs(a[i] + b[i]) <= 1e-9 * (1 + abs(a[i]))) { return false }
            return true
        }
        var partner = [Int](repeating: -1, count: ys.count)
        for a in ys.indices where partner[a] < 0 {
            for b in (a + 1)..<ys.count where partner[b] < 0 && mirrors(ys[a], ys[b]) {
                partner[a] = b
                partner[b] = a
                break
            }
        }
        var squares = 0.0
        for a in ys.indices where partner[a] < 0 || partner[a] > a {
            let c = positive[a] - (partner[a] > a ? positive[partner[a]] : 0)
            squares += c * c
        }
        return 1 / max(squares, 1e-300)
    }

    /// The stopping criteria of the `cmaes` package (flat values, tiny or exploding steps, no effect, ill-conditioning):
    /// true when a restart is due.
    var shouldStop: Bool {
        let n = dimensions
        let history = 10 + Int(ceil(30 * Double(n) / Double(populationSize)))
        if generation > history, valueRanges.count >= history {
            let best = valueRanges.map(\.0).min() ?? 0
            let worst = valueRanges.map(\.1).max() ?? 0
            if worst - best < 1e-12 { return true }
        }
        // The sampling covariance is diag(scales)·C·diag(scales).
        let diagonal = (0..<n).map { covariance[$0 * n + $0] * scales[$0] * scales[$0] }
        let tolX = 1e-12 * sigma0
        if diagonal.allSatisfy({ sigma * $0 < tolX }) && pC.allSatisfy({ sigma * $0 < tolX }) { return true }
        let widestScale = scales.max() ?? 1
        if sigma * (axisLengths.max() ?? 1) * widestScale > 1e4 { return true }
        if (0..<n).contains(where: { mean[$0] == mean[$0] + 0.2 * sigma * diagonal[$0].squareRoot() }) { return true }
        let axis = generation % n
        if (0..<n).allSatisfy({ mean[$0] == mean[$0] + 0.1 * sigma * axisLengths[axis] * eigenvectors[axis * n + $0] * scales[$0] }) {
            return true
        }
        // An upper bound of the sampling covariance's axis ratio: C's, times the ratio of the scales.
        let scaleRatio = widestScale / max(scales.min() ?? 1, 1e-300)
        if let largest = axisLengths.max(), let smallest = axisLengths.min(), smallest > 0, largest / smallest * scaleRatio > 1e7 { return true }
        return false
    }
}
