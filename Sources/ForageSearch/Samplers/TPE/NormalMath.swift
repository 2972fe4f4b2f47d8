import Foundation
import ForageCore

/// Numerics of the (truncated) normal kernels of the Parzen estimators.
enum NormalMath {
    static let logSqrtTwoPi = 0.5 * Foundation.log(2 * Double.pi)
    private static let sqrtHalf = 0.5.squareRoot()

    /// `log(Φ(b) − Φ(a))` for a standard normal, stable in both tails; `a < b`.
    static func logMass(_ a: Double, _ b: Double) -> Double {
        guard b > a else { return -Double.infinity }
        // Both ends beyond 9 standard deviations: each tail is below 1.2e-19, so the computed difference below is
        // 1 − (less than 2⁻⁵⁴), which rounds to exactly 1 — the same 0 without the two erfc calls.
        if a <= -9 && b >= 9 { return 0 }
        let difference: Double
        if a > 0 {
            difference = 0.5 * (erfc(a * sqrtHalf) - erfc(b * sqrtHalf))
        } else if b < 0 {
            difference = 0.5 * (erfc(-b * sqrtHalf) - erfc(-a * sqrtHalf))
        } else {
            difference = 1 - 0.5 * (erfc(-a * sqrtHalf) + erfc(b * sqrtHalf))
        }
        if difference > 1e-250 { return Foundation.log(difference) }
        // Deep in a tail: the density at the end nearest the mean times the width (an upper bound, good enough).
        let z = a > 0 ? a : (b < 0 ? -b : 0)
        return -0.5 * z * z - logSqrtTwoPi + Foundation.log(b - a)
    }

    /// A draw from `N(mu, sigma)` truncated to `[low, high]`, by rejection with a clamped fallback.
    static func sampleTruncated(mu: Double, sigma: Double, low: Double, high: Double, rng: inout SplitMix64Box) -> Double {
        for _ in 0..<64 {
            let x = mu + sigma * rng.gaussian()
            if x >= low && x <= high { return x }
        }
        return min(max(mu + sigma * rng.gaussian(), low), high)
    }

    /// `log Σ exp(values)` without overflow.
    static func logSumExp(_ values: UnsafeBufferPointer<Double>) -> Double {
        var top = -Double.infinity
        for v in values where v > top { top = v }
        guard top.isFinite else { return top }
        var sum = 0.0
        // Terms more than e^-40 below the largest cannot change the sum in double precision.
        for v in values where v - top > -40 { sum += Foundation.exp(v - top) }
        return top + Foundation.log(sum)
    }
}

/// The per-suggestion random stream of the TPE sampler (a `SplitMix64` with a cached second Gaussian).
struct SplitMix64Box {
    var generator: SplitMix64
    private var spare: Double?

    init(_ generator: SplitMix64) {
        self.generator = generator
    }

    mutating func unit() -> Double { generator.nextUnit() }

    /// A standard normal draw (Marsaglia's polar method).
    mutating func gaussian() -> Double {
        if let spare {
            self.spare = nil
            return spare
        }
        while true {
            let u = 2 * generator.nextUnit() - 1
            let v = 2 * generator.nextUnit() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * Foundation.log(s) / s).squareRoot()
                spare = v * factor
                return u * factor
            }
        }
    }
}
