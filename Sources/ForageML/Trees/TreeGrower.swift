import Foundation

/// The settings of one tree's growth.
struct GrowthSettings: Sendable {
    var maxLeaves: Int
    /// 0 = unlimited.
    var maxDepth: Int
    var rules: SplitRules
    var learningRate: Double
    var threads: Int
}

/// Grows one tree leaf-wise (best-first, as LightGBM): the leaf whose best split gains most is split next, until
/// `maxLeaves` leaves or no split gains more than `minSplitGain`. Rows are kept as one index array partitioned by
/// leaf (each leaf a contiguous range); each split builds the histogram of the smaller child from its rows and gets
/// the larger child's by subtraction. Reuses its buffers from tree to tree.
final class TreeGrower {
    let bins: FeatureBins
    let layout: HistogramLayout
    let codes: BinnedRows
    let settings: GrowthSettings
    private let slotDoubles: Int
    private let pool: UnsafeMutablePointer<Double>
    private let scratch: UnsafeMutablePointer<Double>
    /// Row indices partitioned by leaf after `grow`; leaf `k` owns `leafStart[k] ..< leafStart[k] + leafCount[k]`.
    private(set) var indices: [Int32]
    private var buffer: [Int32]
    private(set) var leafStart: [Int] = []
    private(set) var leafCount: [Int] = []

    init(bins: FeatureBins, codes: BinnedRows, settings: GrowthSettings) {
        self.bins = bins
        self.layout = HistogramLayout(bins: bins)
        self.codes = codes
        self.settings = settings
        slotDoubles = layout.slotCount * 3
        pool = .allocate(capacity: slotDoubles * max(1, settings.maxLeaves))
        scratch = .allocate(capacity: slotDoubles)
        indices = []
        buffer = [Int32](repeating: 0, count: codes.rows)
    }

    deinit {
        pool.deallocate()
        scratch.deallocate()
    }

    private struct Leaf {
        var start: Int
        var count: Int
        var depth: Int
        var sums: GradientSums
        var histogram: Int
        var split: SplitCandidate?
        /// Where this leaf hangs: (parent node, is left child), or nil for the root.
        var parent: (node: Int, isLeft: Bool)?
    }

    /// Grows a tree on `rows` (training row indices) with per-row `gradients` and `hessians`, considering only
    /// `features`.
    func grow(rows: [Int32], gradients: [Double], hessians: [Double], features: [Int]) -> RegressionTree {
        indices = rows
        var tree = RegressionTree()
        var leaves: [Leaf] = []
        let missingBins = bins.binCounts
        gradients.withUnsafeBufferPointer { g in
            hessians.withUnsafeBufferPointer { h in
                codes.codes.withUnsafeBufferPointer { c in
                    let gp = g.baseAddress!
                    let hp = h.baseAddress!
                    let cp = c.baseAddress!
                    var total = GradientSums.zero
                    for r in rows {
                        total.gradient += gp[Int(r)]
                        total.hessian += hp[Int(r)]
                    }
                    total.count = Double(rows.count)
                    buildHistogram(start: 0, count: rows.count, into: 0, codes: cp, g: gp, h: hp)
                    var root = Leaf(start: 0, count: rows.count, depth: 0, sums: total, histogram: 0, split: nil, parent: nil)
                    root.split = findSplit(histogram: 0, sums: total, depth: 0, features: features)
                    leaves.append(root)
                    var freeHistograms = Array((1..<max(1, settings.maxLeaves)).reversed())

                    while leaves.count < settings.maxLeaves {
                        var chosen = -1
                        var bestGain = -Double.infinity
                        for (k, leaf) in leaves.enumerated() {
                            if let split = leaf.split, split.gain > bestGain {
                                bestGain = split.gain
                                chosen = k
                            }
                        }
                        guard chosen >= 0, let split = leaves[chosen].split, let freeSlot = freeHistograms.popLast() else { break }
                        let parent = leaves[chosen]
                        let leftCount = partition(
                            start: parent.start, count: parent.count, feature: split.feature, bin: split.bin,
                            defaultLeft: split.defaultLeft, missingBin: missingBins[split.feature], codes: cp)
                        // New internal node replacing the leaf.
                        let node = tree.feature.count
                        tree.feature.append(split.feature)
                        tree.bin.append(split.bin)
                        tree.threshold.append(bins.upperBounds[split.feature][split.bin])
                        tree.defaultLeft.append(split.defaultLeft)
                        tree.left.append(~chosen)
                        tree.right.append(~leaves.count)
                        if let link = parent.parent {
                            if link.isLeft { tree.left[link.node] = node } else { tree.right[link.node] = node }
                        }
                        var leftLeaf = Leaf(
                            start: parent.start, count: leftCount, depth: parent.depth + 1, sums: split.left,
                            histogram: parent.histogram, split: nil, parent: (node, true))
                        var rightLeaf = Leaf(
                            start: parent.start + leftCount, count: parent.count - leftCount, depth: parent.depth + 1,
                            sums: split.right, histogram: freeSlot, split: nil, parent: (node, false))
                        // Smaller child built from its rows, larger by subtraction from the parent's histogram.
                        let leftSmaller = leftLeaf.count <= rightLeaf.count
                        let small = leftSmaller ? leftLeaf : rightLeaf
                        buildHistogram(start: small.start, count: small.count, into: freeSlot, codes: cp, g: gp, h: hp)
                        Histogram.subtract(pool + freeSlot * slotDoubles, from: pool + parent.histogram * slotDoubles, count: slotDoubles)
                        if leftSmaller {
                            leftLeaf.histogram = freeSlot
                            rightLeaf.histogram = parent.histogram
                        }
                        leftLeaf.split = findSplit(histogram: leftLeaf.histogram, sums: leftLeaf.sums, depth: leftLeaf.depth, features: features)
                        rightLeaf.split = findSplit(
                            histogram: rightLeaf.histogram, sums: rightLeaf.sums, depth: rightLeaf.depth, features: features)
                        leaves[chosen] = leftLeaf
                        leaves.append(rightLeaf)
                    }
                }
            }
        }
        tree.leafValues = leaves.map { -$0.sums.gradient / ($0.sums.hessian + settings.rules.l2) * settings.learningRate }
        leafStart = leaves.map(\.start)
        leafCount = leaves.map(\.count)
        return tree
    }

    private func findSplit(histogram: Int, sums: GradientSums, depth: Int, features: [Int]) -> SplitCandidate? {
        if settings.maxDepth > 0, depth >= settings.maxDepth { return nil }
        if sums.count < Double(2 * settings.rules.minChildSamples) { return nil }
        return SplitFinder.best(
            histogram: pool + histogram * slotDoubles, layout: layout, bins: bins, features: features, total: sums,
            rules: settings.rules)
    }

    private func buildHistogram(
        start: Int, count: Int, into slot: Int, codes: UnsafePointer<UInt8>, g: UnsafePointer<Double>, h: UnsafePointer<Double>
    ) {
        indices.withUnsafeBufferPointer { all in
            Histogram.build(
                rows: UnsafeBufferPointer(rebasing: all[start..<(start + count)]), codes: codes, features: self.codes.features,
                layout: layout, gradients: g, hessians: h, threads: settings.threads, out: pool + slot * slotDoubles,
                scratch: scratch)
        }
    }

    /// Stable partition of `indices[start ..< start + count]`: rows going left first. Returns how many go left.
    private func partition(
        start: Int, count: Int, feature: Int, bin: Int, defaultLeft: Bool, missingBin: Int, codes: UnsafePointer<UInt8>
    ) -> Int {
        let d = self.codes.features
        var leftCount = 0
        indices.withUnsafeMutableBufferPointer { all in
            buffer.withUnsafeMutableBufferPointer { spill in
                var rightCount = 0
                for i in start..<(start + count) {
                    let r = all[i]
                    let code = Int(codes[Int(r) * d + feature])
                    let goLeft = code == missingBin ? defaultLeft : code <= bin
                    if goLeft {
                        all[start + leftCount] = r
                        leftCount += 1
                    } else {
                        spill[rightCount] = r
                        rightCount += 1
                    }
                }
                for k in 0..<rightCount { all[start + leftCount + k] = spill[k] }
            }
        }
        return leftCount
    }
}
