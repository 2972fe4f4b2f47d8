/// A drift profile laid out for binning whole requests cheaply: the numeric features' bin edges in one flat table,
/// each feature's padded with +∞ to the same length, so a value's bin is a branch-free count of the edges below it
/// (the same bin `DriftProfile.Bins.bin` finds by binary search: bin i holds `edges[i-1] < x <= edges[i]`). Built
/// once per served version; binning needs no lock and allocates only the result.
public struct DriftBinner: Sendable {
    public let profile: DriftProfile
    /// Bins per row: one per feature, then the prediction's.
    public var width: Int { profile.features.count + 1 }
    /// Edges per feature in `edges` (the largest edge count; shorter ones padded with +∞).
    private let stride: Int
    /// `edges[f · stride + j]`: feature f's j-th edge (+∞ past its own edges, and for a categorical feature).
    private let edges: [Double]
    /// Each feature's bin of missing values.
    private let missingBins: [UInt16]
    /// Whether every feature is numeric (the fast path; a categorical feature bins a number by its label).
    private let allNumeric: Bool

    public init(profile: DriftProfile) {
        self.profile = profile
        let stride = max(1, profile.features.map { $0.edges?.count ?? 0 }.max() ?? 0)
        var edges = [Double](repeating: .infinity, count: stride * profile.features.count)
        for (f, bins) in profile.features.enumerated() {
            for (j, edge) in (bins.edges ?? []).enumerated() { edges[f * stride + j] = edge }
        }
        self.stride = stride
        self.edges = edges
        missingBins = profile.features.map { UInt16(truncatingIfNeeded: $0.missingBin) }
        allNumeric = profile.features.allSatisfy { $0.edges != nil }
    }

    /// The bins of a batch given as numbers, row after row in input-column order: per row, each feature's bin then
    /// the prediction's. Empty when `values` is not `predictions.count` whole rows.
    public func bins(numericRows values: [Double], predictions: Predictions) -> [UInt16] {
        let d = profile.features.count
        let n = predictions.count
        guard d > 0, values.count == d * n else { return [] }
        guard allNumeric else { return profile.bins(numericRows: values, predictions: predictions) }
        let width = d + 1
        return [UInt16](unsafeUninitializedCapacity: width * n) { out, initialized in
            values.withUnsafeBufferPointer { x in
                edges.withUnsafeBufferPointer { edges in
                    missingBins.withUnsafeBufferPointer { missing in
                        for r in 0..<n {
                            let row = r * d
                            let target = r * width
                            for f in 0..<d {
                                let value = x[row + f]
                                let base = f * stride
                                var below = 0
                                for j in 0..<stride { below &+= edges[base + j] < value ? 1 : 0 }
                                out[target + f] = value.isNaN ? missing[f] : UInt16(truncatingIfNeeded: below)
                            }
                        }
                    }
                }
            }
            for r in 0..<n { out[r * width + d] = profile.predictionBin(predictions, row: r) }
            initialized = width * n
        }
    }

    /// The bins of a request's rows as raw values in input-column order.
    public func bins(rows: [[InputValue]], predictions: Predictions) -> [UInt16] {
        profile.bins(rows: rows, predictions: predictions)
    }

    /// The bins of a request's `[column: value]` records.
    public func bins(records: [[String: InputValue]], predictions: Predictions) -> [UInt16] {
        profile.bins(records: records, predictions: predictions)
    }
}
