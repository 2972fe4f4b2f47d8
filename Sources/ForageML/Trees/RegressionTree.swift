/// One decision tree of a boosted ensemble. Internal node `i` sends a row left when its value of `feature[i]` is
/// `<= threshold[i]` (a missing value goes left when `defaultLeft[i]`); a child index `>= 0` is an internal node,
/// `< 0` the leaf `~child`. A tree that never split has no internal nodes and one leaf.
struct RegressionTree: Sendable, Equatable {
    var feature: [Int] = []
    /// The bin threshold of each split (rows with bin `<= bin` go left), used on binned training data.
    var bin: [Int] = []
    /// The same split on raw feature values: the bin's upper edge.
    var threshold: [Double] = []
    var defaultLeft: [Bool] = []
    var left: [Int] = []
    var right: [Int] = []
    /// Leaf outputs (already multiplied by the learning rate).
    var leafValues: [Double] = [0]

    /// The leaf of one row of raw values (`row[f]` is feature `f`).
    @inline(__always)
    func leaf(raw row: UnsafePointer<Double>) -> Int {
        guard !feature.isEmpty else { return 0 }
        var node = 0
        while true {
            let v = row[feature[node]]
            let goLeft = v.isNaN ? defaultLeft[node] : v <= threshold[node]
            let next = goLeft ? left[node] : right[node]
            if next < 0 { return ~next }
            node = next
        }
    }

    /// The leaf of one row of feature-major bin codes: feature `f`'s code is `row[f · stride]`; `missingBins[f]` is
    /// feature `f`'s missing bin.
    @inline(__always)
    func leaf(codes row: UnsafePointer<UInt8>, stride: Int, missingBins: UnsafePointer<Int>) -> Int {
        guard !feature.isEmpty else { return 0 }
        var node = 0
        while true {
            let f = feature[node]
            let code = Int(row[f * stride])
            let goLeft = code == missingBins[f] ? defaultLeft[node] : code <= bin[node]
            let next = goLeft ? left[node] : right[node]
            if next < 0 { return ~next }
            node = next
        }
    }
}
