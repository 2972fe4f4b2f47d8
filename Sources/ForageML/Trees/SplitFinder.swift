/// Gradient statistics of a set of rows: sums of gradients and hessians, and the row count.
struct GradientSums: Sendable {
    var gradient: Double
    var hessian: Double
    var count: Double

    static let zero = GradientSums(gradient: 0, hessian: 0, count: 0)

    static func - (a: GradientSums, b: GradientSums) -> GradientSums {
        GradientSums(gradient: a.gradient - b.gradient, hessian: a.hessian - b.hessian, count: a.count - b.count)
    }

    static func + (a: GradientSums, b: GradientSums) -> GradientSums {
        GradientSums(gradient: a.gradient + b.gradient, hessian: a.hessian + b.hessian, count: a.count + b.count)
    }
}

/// The best way found to split one leaf: rows whose bin of `feature` is `<= bin` go left, the missing bin goes
/// left when `defaultLeft`; `gain` is the decrease of the regularised loss (LightGBM's, without the ½).
struct SplitCandidate: Sendable {
    var feature: Int
    var bin: Int
    var defaultLeft: Bool
    var gain: Double
    var left: GradientSums
    var right: GradientSums
}

/// The limits a split must respect.
struct SplitRules: Sendable {
    var l2: Double
    var minChildSamples: Int
    var minChildHessian: Double
    var minSplitGain: Double
}

/// Scans a leaf's histogram for the best split over the allowed features, trying the missing bin on both sides of
/// every threshold (the learned default direction).
enum SplitFinder {
    /// The regularised score of a set of rows: G² / (H + λ).
    @inline(__always)
    static func score(_ sums: GradientSums, l2: Double) -> Double {
        sums.gradient * sums.gradient / (sums.hessian + l2)
    }

    /// The best split of a leaf whose histogram is `histogram` (gradient, hessian) per slot, with row counts in
    /// `counts` (nil: the hessian sum is the row count), over the allowed `features`; `binCounts[f]` is feature `f`'s
    /// number of non-missing bins.
    static func best(
        histogram: UnsafePointer<SIMD2<Double>>, counts: UnsafePointer<Int32>?, offsets: UnsafePointer<Int>,
        binCounts: UnsafePointer<Int>, features: UnsafeBufferPointer<Int>, total: GradientSums, rules: SplitRules
    ) -> SplitCandidate? {
        let parentScore = score(total, l2: rules.l2)
        let minCount = Double(rules.minChildSamples)
        var best: SplitCandidate?
        var bestGain = rules.minSplitGain
        for f in features {
            let start = offsets[f]
            let nonMissing = binCounts[f]
            guard nonMissing > 1 else { continue }
            @inline(__always) func sums(_ s: Int) -> GradientSums {
                let v = histogram[s]
                return GradientSums(gradient: v.x, hessian: v.y, count: counts.map { Double($0[s]) } ?? v.y)
            }
            let missing = sums(start + nonMissing)
            let hasMissing = missing.count > 0
            var prefix = GradientSums.zero
            for b in 0..<(nonMissing - 1) {
                let bin = sums(start + b)
                // An empty bin leaves both sides as they were at the previous threshold: nothing new to score.
                guard bin.count > 0 else { continue }
                prefix.gradient += bin.gradient
                prefix.hessian += bin.hessian
                prefix.count += bin.count
                // Missing rows to the right.
                var left = prefix
                var right = total - left
                // The right side only shrinks from here on (with the missing rows on the left even more so).
                if right.count < minCount { break }
                if left.count >= minCount, right.count >= minCount, left.hessian >= rules.minChildHessian,
                    right.hessian >= rules.minChildHessian
                {
                    let gain = score(left, l2: rules.l2) + score(right, l2: rules.l2) - parentScore
                    if gain > bestGain {
                        bestGain = gain
                        let defaultLeft = hasMissing ? false : left.hessian >= right.hessian
                        best = SplitCandidate(feature: f, bin: b, defaultLeft: defaultLeft, gain: gain, left: left, right: right)
                    }
                }
                guard hasMissing else { continue }
                // Missing rows to the left.
                left = prefix + missing
                right = total - left
                if left.count >= minCount, right.count >= minCount, left.hessian >= rules.minChildHessian,
                    right.hessian >= rules.minChildHessian
                {
                    let gain = score(left, l2: rules.l2) + score(right, l2: rules.l2) - parentScore
                    if gain > bestGain {
                        bestGain = gain
                        best = SplitCandidate(feature: f, bin: b, defaultLeft: true, gain: gain, left: left, right: right)
                    }
                }
            }
        }
        return best
    }
}
