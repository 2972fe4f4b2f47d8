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

    static func best(
        histogram: UnsafePointer<Double>, layout: HistogramLayout, bins: FeatureBins, features: [Int], total: GradientSums,
        rules: SplitRules
    ) -> SplitCandidate? {
        let parentScore = score(total, l2: rules.l2)
        let minCount = Double(rules.minChildSamples)
        var best: SplitCandidate?
        var bestGain = rules.minSplitGain
        let binCounts = bins.binCounts
        for f in features {
            let start = layout.offsets[f]
            let nonMissing = binCounts[f]
            guard nonMissing > 1 else { continue }
            let m = (start + nonMissing) * 3
            let missing = GradientSums(gradient: histogram[m], hessian: histogram[m + 1], count: histogram[m + 2])
            let hasMissing = missing.count > 0
            var prefix = GradientSums.zero
            for b in 0..<(nonMissing - 1) {
                let s = (start + b) * 3
                prefix.gradient += histogram[s]
                prefix.hessian += histogram[s + 1]
                prefix.count += histogram[s + 2]
                // Missing rows to the right.
                var left = prefix
                var right = total - left
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
