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

/// Gradient and hessian sums and row counts per bin of every feature, for the rows of one leaf: three doubles per
/// slot (`sums[3·s]` gradient, `sums[3·s+1]` hessian, `sums[3·s+2]` count). A child's histogram is built from its
/// rows only for the smaller child; the larger one is the parent's minus it (the subtraction trick).
enum Histogram {
    /// Builds the histogram of `rows` into `out` (`3 · slotCount` doubles, overwritten), splitting the rows over
    /// `threads` workers when there are enough of them.
    static func build(
        rows: UnsafeBufferPointer<Int32>, codes: UnsafePointer<UInt8>, features: Int, layout: HistogramLayout,
        gradients: UnsafePointer<Double>, hessians: UnsafePointer<Double>, threads: Int,
        out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
    ) {
        let slots = layout.slotCount * 3
        if threads < 2 || rows.count < 8192 {
            accumulate(rows: rows, codes: codes, features: features, layout: layout, gradients: gradients, hessians: hessians, out: out)
            return
        }
        let half = rows.count / 2
        let halves = Halves(
            first: UnsafeBufferPointer(rebasing: rows[0..<half]), second: UnsafeBufferPointer(rebasing: rows[half...]), codes: codes,
            gradients: gradients, hessians: hessians, out: out, scratch: scratch)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            accumulate(
                rows: part == 0 ? halves.first : halves.second, codes: halves.codes, features: features, layout: layout,
                gradients: halves.gradients, hessians: halves.hessians, out: part == 0 ? halves.out : halves.scratch)
        }
        for s in 0..<slots { out[s] += scratch[s] }
    }

    /// The two halves of a threaded build: each worker reads its own rows and writes its own histogram, so the
    /// pointers are never shared for writing (hence `@unchecked Sendable`).
    private struct Halves: @unchecked Sendable {
        let first: UnsafeBufferPointer<Int32>
        let second: UnsafeBufferPointer<Int32>
        let codes: UnsafePointer<UInt8>
        let gradients: UnsafePointer<Double>
        let hessians: UnsafePointer<Double>
        let out: UnsafeMutablePointer<Double>
        let scratch: UnsafeMutablePointer<Double>
    }

    /// One pass over `rows`: for each row, its gradient and hessian are added to the bin of every feature.
    private static func accumulate(
        rows: UnsafeBufferPointer<Int32>, codes: UnsafePointer<UInt8>, features: Int, layout: HistogramLayout,
        gradients: UnsafePointer<Double>, hessians: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>
    ) {
        let slots = layout.slotCount * 3
        out.initialize(repeating: 0, count: slots)
        layout.offsets.withUnsafeBufferPointer { offsetsBuffer in
            // Per-feature base pointers, in slot units of three doubles.
            let base = offsetsBuffer.baseAddress!
            for row in rows {
                let r = Int(row)
                let g = gradients[r]
                let h = hessians[r]
                let rowCodes = codes + r * features
                var f = 0
                while f < features {
                    let slot = (base[f] + Int(rowCodes[f])) &* 3
                    out[slot] += g
                    out[slot + 1] += h
                    out[slot + 2] += 1
                    f += 1
                }
            }
        }
    }

    /// `larger = parent − smaller`, written over `parent`.
    static func subtract(_ smaller: UnsafePointer<Double>, from parent: UnsafeMutablePointer<Double>, count: Int) {
        for s in 0..<count { parent[s] -= smaller[s] }
    }
}
