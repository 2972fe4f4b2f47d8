import ForageCore

/// The bin edges of every feature, fitted on training rows: a value `x` of feature `f` falls in the first bin `b`
/// with `x <= upperBounds[f][b]` (the last bound is +∞), and a missing value (NaN) in the extra bin
/// `binCounts[f]`. Edges sit midway between distinct values (quantiles when there are more than `maxBins`), as
/// LightGBM places them, so a split "bin ≤ b" is exactly the comparison "x ≤ upperBounds[f][b]" on raw values.
struct FeatureBins: Sendable {
    /// Per feature: the upper bound of each non-missing bin, ascending; the last is +∞.
    let upperBounds: [[Double]]
    /// Per feature: whether the training rows had missing values.
    let hasMissing: [Bool]

    /// Number of features.
    var featureCount: Int { upperBounds.count }
    /// Per feature: number of non-missing bins (the missing bin has this index).
    var binCounts: [Int] { upperBounds.map(\.count) }

    /// Fits bin edges on the columns of `x` (row-major, `rows × columns`), using at most `sampleRows` evenly spaced
    /// rows per feature; `maxBins` is 2…255.
    init(x: Matrix<Double>, maxBins: Int, sampleRows: Int = 200_000) {
        let n = x.rows
        let d = x.columns
        let step = max(1, n / max(1, sampleRows))
        let sampled = (n + step - 1) / step
        // The sampled rows' values, column by column (`columns[f * sampled ..< f * sampled + filled[f]]`, missing
        // values left out), gathered in one pass over the rows: reading the row-major matrix in order.
        var columns = [Double](repeating: 0, count: sampled * d)
        var filled = [Int](repeating: 0, count: d)
        var missing = [Bool](repeating: false, count: d)
        x.storage.withUnsafeBufferPointer { values in
            columns.withUnsafeMutableBufferPointer { out in
                var r = 0
                while r < n {
                    let row = r * d
                    for f in 0..<d {
                        let v = values[row + f]
                        if v.isNaN {
                            missing[f] = true
                        } else {
                            out[f * sampled + filled[f]] = v
                            filled[f] += 1
                        }
                    }
                    r += step
                }
            }
            if step > 1 {
                for row in 0..<n {
                    for f in 0..<d where !missing[f] && values[row * d + f].isNaN { missing[f] = true }
                }
            }
        }
        var bounds: [[Double]] = []
        bounds.reserveCapacity(d)
        for f in 0..<d {
            var column = Array(columns[(f * sampled)..<(f * sampled + filled[f])])
            bounds.append(Self.edges(of: &column, maxBins: maxBins))
        }
        upperBounds = bounds
        hasMissing = missing
    }

    /// Bin edges of one feature's non-missing values (sorted in place).
    static func edges(of values: inout [Double], maxBins: Int) -> [Double] {
        guard !values.isEmpty else { return [.infinity] }
        sortAscending(&values)
        var distinct: [Double] = []
        var counts: [Int] = []
        for v in values {
            if let last = distinct.last, last == v {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(v)
                counts.append(1)
            }
        }
        var edges: [Double] = []
        if distinct.count <= maxBins {
            for i in 0..<(distinct.count - 1) { edges.append(midpoint(distinct[i], distinct[i + 1])) }
        } else {
            // Greedy equal-frequency bins over distinct values: close a bin once it holds its share of the rows.
            let total = values.count
            var remainingRows = total
            var remainingBins = maxBins
            var inBin = 0
            for i in 0..<(distinct.count - 1) {
                inBin += counts[i]
                let target = Double(remainingRows) / Double(remainingBins)
                if Double(inBin) >= target || (distinct.count - 1 - i) < remainingBins {
                    edges.append(midpoint(distinct[i], distinct[i + 1]))
                    remainingRows -= inBin
                    remainingBins -= 1
                    inBin = 0
                    if remainingBins == 1 { break }
                }
            }
        }
        edges.append(.infinity)
        return edges
    }

    /// Sorts non-NaN values ascending: a least-significant-digit radix sort on the order-preserving integer image
    /// of each double (11 bits a pass), several times faster than a comparison sort on the column sizes binning sees.
    /// Equal values end up together (−0 just before +0), which is all the edges need.
    static func sortAscending(_ values: inout [Double]) {
        let n = values.count
        guard n > 512 else {
            values.sort()
            return
        }
        var keys = values.map { v -> UInt64 in
            let bits = v.bitPattern
            return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
        }
        var spare = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 2048)
        keys.withUnsafeMutableBufferPointer { a in
            spare.withUnsafeMutableBufferPointer { b in
                counts.withUnsafeMutableBufferPointer { count in
                    guard var source = a.baseAddress, var target = b.baseAddress, let count = count.baseAddress else { return }
                    var shift: UInt64 = 0
                    while shift < 64 {
                        count.update(repeating: 0, count: 2048)
                        for i in 0..<n { count[Int((source[i] >> shift) & 2047)] += 1 }
                        // A pass where every key has the same digit moves nothing.
                        if count[Int((source[0] >> shift) & 2047)] != n {
                            var total = 0
                            for d in 0..<2048 {
                                let c = count[d]
                                count[d] = total
                                total += c
                            }
                            for i in 0..<n {
                                let key = source[i]
                                let d = Int((key >> shift) & 2047)
                                target[count[d]] = key
                                count[d] += 1
                            }
                            swap(&source, &target)
                        }
                        shift += 11
                    }
                    if source != a.baseAddress { a.baseAddress?.update(from: source, count: n) }
                }
            }
        }
        for i in 0..<n {
            let key = keys[i]
            values[i] = Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
        }
    }

    private static func midpoint(_ a: Double, _ b: Double) -> Double {
        let m = a + (b - a) / 2
        return m < b ? m : a
    }

    /// The bin of value `v` of feature `f`.
    @inline(__always)
    func bin(_ v: Double, feature f: Int) -> Int {
        if v.isNaN { return upperBounds[f].count }
        let bounds = upperBounds[f]
        var low = 0
        var high = bounds.count - 1
        while low < high {
            let mid = (low + high) >> 1
            if v <= bounds[mid] { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Every row of `x` as bins, feature-major (`featureCount × rows` bytes): a split reads one feature's codes
    /// contiguously, and a histogram one feature's codes at a time.
    func binned(_ x: Matrix<Double>) -> BinnedRows {
        let n = x.rows
        let d = x.columns
        var codes = [UInt8](repeating: 0, count: n * d)
        // Every feature's bounds in one array: feature `f`'s are `flat[starts[f] ..< starts[f + 1]]`.
        var starts = [0]
        for bounds in upperBounds { starts.append(starts[starts.count - 1] + bounds.count) }
        let flat = upperBounds.flatMap { $0 }
        x.storage.withUnsafeBufferPointer { values in
            codes.withUnsafeMutableBufferPointer { out in
                flat.withUnsafeBufferPointer { flat in
                    // Rows in order (the matrix is row-major); each feature's codes are written to its own run.
                    for r in 0..<n {
                        let row = r * d
                        for f in 0..<d {
                            let v = values[row + f]
                            let first = starts[f]
                            let count = starts[f + 1] - first
                            // The bin `bin(_:feature:)` gives, missing values to the bin after the last.
                            var code = count
                            if !v.isNaN {
                                // Branch-free lower bound: the first bound >= v (the last one is +∞).
                                var low = first
                                var length = count
                                while length > 1 {
                                    let half = length >> 1
                                    let below = flat[low &+ half &- 1] < v
                                    low &+= half & (below ? -1 : 0)
                                    length &-= half
                                }
                                code = low - first
                            }
                            out[f * n + r] = UInt8(truncatingIfNeeded: code)
                        }
                    }
                }
            }
        }
        return BinnedRows(rows: n, features: d, codes: codes)
    }
}

/// Rows of bin codes, feature-major: `codes[feature * rows + row]`.
struct BinnedRows: Sendable {
    let rows: Int
    let features: Int
    let codes: [UInt8]
}
