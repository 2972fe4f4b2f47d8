import Foundation

/// Cheap bounds on the log density of a Parzen estimator over one continuous parameter, so that TPE's candidate
/// choice can skip the exact `log l − log g` of candidates that cannot win (see `TPESampler.bestScalarCandidate`).
///
/// Both bounds replace each exponential by a table entry: with `d = top − term` (the term's distance below the
/// largest), `exp(−d)` lies between `exp(−(k+1)/16)` and `exp(−k/16)` for `k = ⌊16·d⌋`. The upper bound sums every
/// term the exact density sums (those less than 40 below the largest); the lower bound only the kernels whose
/// centres are nearest the point (and the prior), since any subset of a sum of positive terms is a lower bound.
/// Both are off from the exact value by less than 1/16 in log from the tables, plus rounding, which the caller's
/// margin covers.
extension ParzenEstimator {
    /// Table entries per unit of log.
    private static let steps = 16.0
    /// `exp(−k/16)` and `exp(−(k+1)/16)` for `k` below 640 (40 units).
    private static let upperTable: [Double] = (0..<640).map { Foundation.exp(-Double($0) / 16) }
    private static let lowerTable: [Double] = (0..<640).map { Foundation.exp(-Double($0 + 1) / 16) }

    /// One continuous dimension: each kernel's log term at `x` into `out` (`kernels` values), the values `logTerms`
    /// gives for the point `[x]`.
    func scalarLogTerms(_ x: Double, into out: UnsafeMutableBufferPointer<Double>) {
        let kernels = kernels
        mus.withUnsafeBufferPointer { mus in
            inverseSigmas.withUnsafeBufferPointer { inverse in
                constants.withUnsafeBufferPointer { constants in
                    for i in 0..<kernels {
                        let z = (x - mus[i]) * inverse[i]
                        out[i] = constants[i] - 0.5 * (z * z)
                    }
                }
            }
        }
    }

    /// One continuous dimension: the log density at `x`, the same value `logDensity([x])` gives. `scratch` holds at
    /// least `kernels` values.
    func scalarLogDensity(_ x: Double, scratch: inout [Double]) -> Double {
        scratch.withUnsafeMutableBufferPointer { buffer in
            let terms = UnsafeMutableBufferPointer(rebasing: buffer[0..<kernels])
            scalarLogTerms(x, into: terms)
            return NormalMath.logSumExp(UnsafeBufferPointer(terms))
        }
    }

    /// One continuous dimension: at least the log density `scalarLogDensity` computes at `x`, up to rounding
    /// (+∞ when that density is not finite).
    func upperLogDensity(_ x: Double, scratch: inout [Double]) -> Double {
        scratch.withUnsafeMutableBufferPointer { buffer in
            let terms = UnsafeMutableBufferPointer(rebasing: buffer[0..<kernels])
            scalarLogTerms(x, into: terms)
            var top = -Double.infinity
            for v in terms where v > top { top = v }
            guard top.isFinite else { return .infinity }
            var sum = 0.0
            Self.upperTable.withUnsafeBufferPointer { table in
                for v in terms {
                    let d = top - v
                    if d < 40 { sum += table[Int(d * Self.steps)] }
                }
            }
            return top + Foundation.log(sum)
        }
    }

    /// One continuous dimension: at most the log density `scalarLogDensity` computes at `x`, up to rounding, from
    /// the prior and the `window` kernels (at most 64) on either side of `x` (−∞ when no finite bound is found).
    func lowerLogDensity(near x: Double, window: Int) -> Double {
        let n = sortedMus.count
        // The first centre at or above x.
        var low = 0
        var high = n
        while low < high {
            let middle = (low + high) / 2
            if sortedMus[middle] < x { low = middle + 1 } else { high = middle }
        }
        let first = max(0, low - window)
        let last = min(n, low + window)
        let priorZ = (x - mus[n]) * inverseSigmas[n]
        let prior = constants[n] - 0.5 * (priorZ * priorZ)
        var top = prior
        // The window's terms, computed once (at most 64 kernels on each side).
        let width = min(last - first, 128)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(width, 1)) { terms in
            for i in 0..<width {
                let z = (x - sortedMus[first + i]) * sortedInverseSigmas[first + i]
                let v = sortedConstants[first + i] - 0.5 * (z * z)
                terms[i] = v
                if v > top { top = v }
            }
            guard top.isFinite else { return -.infinity }
            var sum = 0.0
            Self.lowerTable.withUnsafeBufferPointer { table in
                let d = top - prior
                if d < 40 { sum += table[Int(d * Self.steps)] }
                for i in 0..<width {
                    let d = top - terms[i]
                    if d < 40 { sum += table[Int(d * Self.steps)] }
                }
            }
            return top + Foundation.log(sum)
        }
    }
}
