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
/// leaf (each leaf a contiguous range, its rows in ascending order); each split builds the histogram of the smaller
/// child from its rows and gets the larger child's by subtraction. Reuses its buffers from tree to tree.
final class TreeGrower {
    let bins: FeatureBins
    let layout: HistogramLayout
    /// Training rows' bin codes, feature-major.
    let codes: BinnedRows
    let settings: GrowthSettings
    private let slots: Int
    private let offsets: [Int]
    private let binCounts: [Int]
    /// `maxLeaves` histograms of `slots` (gradient, hessian) pairs, and of `slots` row counts.
    private let pool: UnsafeMutablePointer<SIMD2<Double>>
    private let countPool: UnsafeMutablePointer<Int32>
    /// The gathered (gradient, hessian) pairs of the leaf whose histogram is being built.
    private let ordered: UnsafeMutablePointer<SIMD2<Double>>
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
        slots = layout.slotCount
        offsets = layout.offsets
        binCounts = bins.binCounts
        let histograms = max(1, settings.maxLeaves)
        pool = .allocate(capacity: slots * histograms)
        pool.initialize(repeating: .zero, count: slots * histograms)
        countPool = .allocate(capacity: slots * histograms)
        countPool.initialize(repeating: 0, count: slots * histograms)
        ordered = .allocate(capacity: max(1, codes.rows))
        ordered.initialize(repeating: .zero, count: max(1, codes.rows))
        indices = []
        buffer = [Int32](repeating: 0, count: codes.rows)
    }

    deinit {
        pool.deallocate()
        countPool.deallocate()
        ordered.deallocate()
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

    /// The pointers one `grow` call reads.
    private struct Inputs {
        let codes: UnsafePointer<UInt8>
        let gradients: UnsafePointer<Double>
        let hessians: UnsafePointer<Double>
        let features: UnsafeBufferPointer<Int>
        let offsets: UnsafePointer<Int>
        let binCounts: UnsafePointer<Int>
        /// Every hessian is 1 (squared error): histograms keep no separate counts.
        let unitHessians: Bool
    }

    /// Grows a tree on `rows` (training row indices, ascending) with per-row `gradients` and `hessians`,
    /// considering only `features`.
    func grow(rows: [Int32], gradients: [Double], hessians: [Double], features: [Int]) -> RegressionTree {
        indices = rows
        var tree = RegressionTree()
        var leaves: [Leaf] = []
        gradients.withUnsafeBufferPointer { g in
            hessians.withUnsafeBufferPointer { h in
                codes.codes.withUnsafeBufferPointer { c in
                    features.withUnsafeBufferPointer { fs in
                        offsets.withUnsafeBufferPointer { o in
                            binCounts.withUnsafeBufferPointer { bc in
                                guard let gp = g.baseAddress, let hp = h.baseAddress, let cp = c.baseAddress, let op = o.baseAddress,
                                    let bp = bc.baseAddress
                                else { return }
                                var unit = true
                                for r in rows where hp[Int(r)] != 1 {
                                    unit = false
                                    break
                                }
                                let inputs = Inputs(
                                    codes: cp, gradients: gp, hessians: hp, features: fs, offsets: op, binCounts: bp, unitHessians: unit)
                                grow(rows: rows, inputs: inputs, tree: &tree, leaves: &leaves)
                            }
                        }
                    }
                }
            }
        }
        tree.leafValues = leaves.isEmpty ? [0] : leaves.map { -$0.sums.gradient / ($0.sums.hessian + settings.rules.l2) * settings.learningRate }
        leafStart = leaves.isEmpty ? [0] : leaves.map(\.start)
        leafCount = leaves.isEmpty ? [rows.count] : leaves.map(\.count)
        return tree
    }

    private func grow(rows: [Int32], inputs: Inputs, tree: inout RegressionTree, leaves: inout [Leaf]) {
        var total = GradientSums.zero
        for r in rows {
            total.gradient += inputs.gradients[Int(r)]
            total.hessian += inputs.hessians[Int(r)]
        }
        total.count = Double(rows.count)
        buildHistogram(start: 0, count: rows.count, into: 0, inputs: inputs)
        var root = Leaf(start: 0, count: rows.count, depth: 0, sums: total, histogram: 0, split: nil, parent: nil)
        root.split = findSplit(histogram: 0, sums: total, depth: 0, inputs: inputs)
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
                defaultLeft: split.defaultLeft, missingBin: binCounts[split.feature], codes: inputs.codes)
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
            buildHistogram(start: small.start, count: small.count, into: freeSlot, inputs: inputs)
            Histogram.subtract(
                pool + freeSlot * slots, from: pool + parent.histogram * slots, slots: slots,
                smallerCounts: inputs.unitHessians ? nil : countPool + freeSlot * slots,
                parentCounts: inputs.unitHessians ? nil : countPool + parent.histogram * slots)
            if leftSmaller {
                leftLeaf.histogram = freeSlot
                rightLeaf.histogram = parent.histogram
            }
            leftLeaf.split = findSplit(histogram: leftLeaf.histogram, sums: leftLeaf.sums, depth: leftLeaf.depth, inputs: inputs)
            rightLeaf.split = findSplit(histogram: rightLeaf.histogram, sums: rightLeaf.sums, depth: rightLeaf.depth, inputs: inputs)
            leaves[chosen] = leftLeaf
            leaves.append(rightLeaf)
        }
    }

    private func findSplit(histogram: Int, sums: GradientSums, depth: Int, inputs: Inputs) -> SplitCandidate? {
        if settings.maxDepth > 0, depth >= settings.maxDepth { return nil }
        if sums.count < Double(2 * settings.rules.minChildSamples) { return nil }
        return SplitFinder.best(
            histogram: pool + histogram * slots, counts: inputs.unitHessians ? nil : countPool + histogram * slots,
            offsets: inputs.offsets, binCounts: inputs.binCounts, features: inputs.features, total: sums, rules: settings.rules)
    }

    private func buildHistogram(start: Int, count: Int, into slot: Int, inputs: Inputs) {
        indices.withUnsafeBufferPointer { all in
            Histogram.build(
                rows: UnsafeBufferPointer(rebasing: all[start..<(start + count)]), codes: inputs.codes, rowCount: codes.rows,
                features: inputs.features, offsets: inputs.offsets, gradients: inputs.gradients, hessians: inputs.hessians,
                unitHessians: inputs.unitHessians, threads: settings.threads, ordered: ordered, sums: pool + slot * slots,
                counts: inputs.unitHessians ? nil : countPool + slot * slots)
        }
    }

    /// Stable partition of `indices[start ..< start + count]`: rows going left first. Returns how many go left.
    private func partition(
        start: Int, count: Int, feature: Int, bin: Int, defaultLeft: Bool, missingBin: Int, codes: UnsafePointer<UInt8>
    ) -> Int {
        let column = codes + feature * self.codes.rows
        var leftCount = 0
        indices.withUnsafeMutableBufferPointer { all in
            buffer.withUnsafeMutableBufferPointer { spill in
                guard let rows = all.baseAddress, let right = spill.baseAddress else { return }
                var rightCount = 0
                for i in start..<(start + count) {
                    let r = rows[i]
                    let code = Int(column[Int(r)])
                    let goLeft = code == missingBin ? defaultLeft : code <= bin
                    if goLeft {
                        rows[start + leftCount] = r
                        leftCount += 1
                    } else {
                        right[rightCount] = r
                        rightCount += 1
                    }
                }
                (rows + start + leftCount).update(from: right, count: rightCount)
            }
        }
        return leftCount
    }
}
