import Dispatch

/// Where each feature's bins start in a histogram: feature `f` owns slots `offsets[f] ..< offsets[f + 1]`, one per
/// non-missing bin plus the missing bin.
struct HistogramLayout: Sendable {
    let offsets: [Int]
    /// Slots in one histogram.
    var slotCount: Int { offsets[offsets.count - 1] }

    init(bins: FeatureBins) {
        var offsets = [0]
        for count in bins.binCounts { offsets.append(offsets[offsets.count - 1] + count + 1) }
        self.offsets = offsets
    }
}

/// The gradient histograms of one leaf, as LightGBM builds them: per slot a pair (gradient sum, hessian sum) in
/// `sums`, and the row count in `counts` — or, when every hessian is 1 (squared error), no `counts` at all, because
/// the hessian sum is then the row count. Built feature by feature from the bin codes stored feature-major, reading
/// the leaf's gradients gathered into leaf order ("ordered gradients"), so each feature's histogram stays in the
/// first-level cache and the gradients are read contiguously. A child's histogram is built from its rows only for
/// the smaller child; the larger one is the parent's minus it (the subtraction trick).
///
/// Each feature's sums are accumulated row by row in leaf order whatever the thread count (threads split the
/// features, never the rows), so a tree is bit-identical with one thread and two.
enum Histogram {
    /// Builds the histogram of the features `features` over `rows` into `sums` (and `counts` when non-nil),
    /// overwriting those features' slots. `codes` is feature-major (`codes[f · rowCount + r]`); `ordered` has room
    /// for `rows.count` pairs and receives the gathered (gradient, hessian) pairs — with `unitHessians` the hessian
    /// is taken as 1 and `hessians` is not read.
    static func build(
        rows: UnsafeBufferPointer<Int32>, codes: UnsafePointer<UInt8>, rowCount: Int, features: UnsafeBufferPointer<Int>,
        offsets: UnsafePointer<Int>, gradients: UnsafePointer<Double>, hessians: UnsafePointer<Double>, unitHessians: Bool,
        threads: Int, ordered: UnsafeMutablePointer<SIMD2<Double>>, sums: UnsafeMutablePointer<SIMD2<Double>>,
        counts: UnsafeMutablePointer<Int32>?
    ) {
        let m = rows.count
        guard let rowBase = rows.baseAddress else {
            for f in features {
                for s in offsets[f]..<offsets[f + 1] {
                    sums[s] = .zero
                    counts?[s] = 0
                }
            }
            return
        }
        if unitHessians {
            for i in 0..<m { ordered[i] = SIMD2(gradients[Int(rowBase[i])], 1) }
        } else {
            for i in 0..<m {
                let r = Int(rowBase[i])
                ordered[i] = SIMD2(gradients[r], hessians[r])
            }
        }
        let job = Job(
            rows: rowBase, count: m, codes: codes, rowCount: rowCount, offsets: offsets, ordered: ordered, sums: sums,
            counts: counts)
        let featureCount = features.count
        if threads < 2 || featureCount < 8 || m * featureCount < 200_000 {
            job.run(features: features)
            return
        }
        // Two workers, each a contiguous half of the features (a multiple of four, to keep the unrolled groups).
        let half = min(featureCount, ((featureCount / 2) + 3) / 4 * 4)
        let parts = Parts(features: features, half: half)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let range = part == 0 ? 0..<parts.half : parts.half..<parts.features.count
            job.run(features: UnsafeBufferPointer(rebasing: parts.features[range]))
        }
    }

    /// The feature list of a threaded build, split at `half`; read-only, hence `@unchecked Sendable`.
    private struct Parts: @unchecked Sendable {
        let features: UnsafeBufferPointer<Int>
        let half: Int
    }

    /// One histogram build: reads the rows, codes and ordered gradients, writes the slots of the features it is
    /// given. Two workers of one build are given disjoint features, so they never write the same slot (hence
    /// `@unchecked Sendable`).
    private struct Job: @unchecked Sendable {
        let rows: UnsafePointer<Int32>
        let count: Int
        let codes: UnsafePointer<UInt8>
        let rowCount: Int
        let offsets: UnsafePointer<Int>
        let ordered: UnsafePointer<SIMD2<Double>>
        let sums: UnsafeMutablePointer<SIMD2<Double>>
        let counts: UnsafeMutablePointer<Int32>?

        func run(features: UnsafeBufferPointer<Int>) {
            for f in features {
                let start = offsets[f]
                (sums + start).update(repeating: .zero, count: offsets[f + 1] - start)
                counts.map { ($0 + start).update(repeating: 0, count: offsets[f + 1] - start) }
            }
            var k = 0
            // Four features per pass over the rows: the row index and its gradients are read once for all four.
            while k + 4 <= features.count {
                let f0 = features[k]
                let f1 = features[k + 1]
                let f2 = features[k + 2]
                let f3 = features[k + 3]
                let c0 = codes + f0 * rowCount
                let c1 = codes + f1 * rowCount
                let c2 = codes + f2 * rowCount
                let c3 = codes + f3 * rowCount
                let h0 = sums + offsets[f0]
                let h1 = sums + offsets[f1]
                let h2 = sums + offsets[f2]
                let h3 = sums + offsets[f3]
                if let counts {
                    let n0 = counts + offsets[f0]
                    let n1 = counts + offsets[f1]
                    let n2 = counts + offsets[f2]
                    let n3 = counts + offsets[f3]
                    var i = 0
                    while i < count {
                        let r = Int(rows[i])
                        let v = ordered[i]
                        let b0 = Int(c0[r])
                        let b1 = Int(c1[r])
                        let b2 = Int(c2[r])
                        let b3 = Int(c3[r])
                        h0[b0] += v
                        h1[b1] += v
                        h2[b2] += v
                        h3[b3] += v
                        n0[b0] &+= 1
                        n1[b1] &+= 1
                        n2[b2] &+= 1
                        n3[b3] &+= 1
                        i &+= 1
                    }
                } else {
                    var i = 0
                    while i < count {
                        let r = Int(rows[i])
                        let v = ordered[i]
                        h0[Int(c0[r])] += v
                        h1[Int(c1[r])] += v
                        h2[Int(c2[r])] += v
                        h3[Int(c3[r])] += v
                        i &+= 1
                    }
                }
                k += 4
            }
            while k < features.count {
                let f = features[k]
                let column = codes + f * rowCount
                let h = sums + offsets[f]
                let n = counts.map { $0 + offsets[f] }
                var i = 0
                while i < count {
                    let b = Int(column[Int(rows[i])])
                    h[b] += ordered[i]
                    if let n { n[b] &+= 1 }
                    i &+= 1
                }
                k += 1
            }
        }
    }

    /// `larger = parent − smaller`, written over `parent`, for `slots` slots (and their counts when non-nil).
    static func subtract(
        _ smaller: UnsafePointer<SIMD2<Double>>, from parent: UnsafeMutablePointer<SIMD2<Double>>, slots: Int,
        smallerCounts: UnsafePointer<Int32>?, parentCounts: UnsafeMutablePointer<Int32>?
    ) {
        for s in 0..<slots { parent[s] -= smaller[s] }
        if let smallerCounts, let parentCounts {
            for s in 0..<slots { parentCounts[s] &-= smallerCounts[s] }
        }
    }
}
