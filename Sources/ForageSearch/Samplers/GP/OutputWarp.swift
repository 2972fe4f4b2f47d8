import Foundation

/// A Box-Cox output warp of the observed values (minimisation sense) before the GP is fitted.
///
/// Objectives such as Rosenbrock's or a loss span orders of magnitude with a long upper tail, which a stationary GP
/// on standardised values models badly: the few huge values set the scale and the region near the best trials looks
/// flat, so expected improvement cannot tell candidates there apart. The values are mapped to `u = (y − min) /
/// (max − min) + offset` (positive, the best at `offset`) and then to `(u^λ − 1) / λ` (`log u` at `λ = 0`), with
/// `λ` from a grid over `0…2` maximising the Box-Cox profile likelihood `−n/2·log σ²(λ) + (λ − 1)·Σ log u`.
/// `λ = 1` is the identity up to an affine map, so values that already look normal are left as they are. The warp
/// is increasing, so the best value stays the best and "worst so far" stays the worst.
struct OutputWarp: Sendable, Equatable {
    let low: Double
    let range: Double
    let lambda: Double

    /// The gap between the best value and zero after the affine map onto `[0, 1]` (0.1: 0.01 stretched the few best
    /// values so far apart that Branin and Hartmann6 got worse; 1 is too mild for Styblinski-Tang).
    static let offset = 0.1
    /// The candidate exponents: `0, 0.1, …, 2`.
    static let grid = (0...20).map { Double($0) / 10 }

    /// The warp fitted to `values` (the identity map onto `[offset, 1 + offset]` when they are all equal or too few).
    init(fitting values: some Collection<Double>) {
        let low = values.min() ?? 0
        let high = values.max() ?? 0
        let range = high - low > 1e-12 ? high - low : 1
        self.low = low
        self.range = range
        guard values.count >= 3, high - low > 1e-12 else {
            lambda = 1
            return
        }
        let units = values.map { ($0 - low) / range + Self.offset }
        let logSum = units.reduce(0) { $0 + log($1) }
        var best = (lambda: 1.0, score: -Double.infinity)
        for lambda in Self.grid {
            let warped = units.map { Self.boxCox($0, lambda) }
            let mean = warped.reduce(0, +) / Double(warped.count)
            let variance = warped.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(warped.count)
            guard variance > 1e-300 else { continue }
            let score = -0.5 * Double(warped.count) * log(variance) + (lambda - 1) * logSum
            if score > best.score { best = (lambda, score) }
        }
        lambda = best.lambda
    }

    /// The warped value of `y`.
    func apply(_ y: Double) -> Double {
        Self.boxCox(max((y - low) / range + Self.offset, 1e-300), lambda)
    }

    static func boxCox(_ u: Double, _ lambda: Double) -> Double {
        lambda == 0 ? log(u) : (pow(u, lambda) - 1) / lambda
    }
}
