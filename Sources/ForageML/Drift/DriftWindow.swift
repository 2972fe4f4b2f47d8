import Foundation

/// The last `capacity` live rows, kept as the bin each raw feature and the prediction fell in (a ring), with
/// per-bin counts updated as rows come and go, so adding a row and computing the population stability index are
/// both cheap: a batch is added in one pass over flat buffers. Not thread-safe on its own (a server wraps it in a
/// lock).
public struct DriftWindow: Sendable {
    public let profile: DriftProfile
    public let capacity: Int
    /// Bins per slot: one per feature, then the prediction's.
    private let width: Int
    private var ring: [UInt16]
    private var next = 0
    /// Rows held now (up to `capacity`).
    public private(set) var rows = 0
    /// `counts[offsets[f] + b]`: rows of the window whose feature f (the prediction at index `features.count`) is
    /// in bin b.
    private var counts: [Int32]
    private let offsets: [Int]
    /// Each distribution's bin count (a bin past it, from a corrupt caller, is clamped to the last bin).
    private let binCounts: [Int]

    public init(profile: DriftProfile, capacity: Int) {
        self.profile = profile
        self.capacity = max(1, capacity)
        width = profile.features.count + 1
        ring = Array(repeating: 0, count: self.capacity * width)
        binCounts = (profile.features + [profile.prediction]).map { max(1, $0.binCount) }
        var offsets: [Int] = []
        var total = 0
        for count in binCounts {
            offsets.append(total)
            total += count
        }
        self.offsets = offsets
        counts = Array(repeating: 0, count: total)
    }

    /// Adds rows: `binned` holds, row after row, each feature's bin then the prediction's (`width` values a row;
    /// a trailing partial row is ignored).
    public mutating func add(binned: UnsafeBufferPointer<UInt16>) {
        let width = width, capacity = capacity
        let batch = binned.count / width
        guard batch > 0 else { return }
        // Only the last `capacity` rows of a batch larger than the window can stay in it.
        let first = max(0, batch - capacity)
        var next = next, rows = rows
        ring.withUnsafeMutableBufferPointer { ring in
            counts.withUnsafeMutableBufferPointer { counts in
                offsets.withUnsafeBufferPointer { offsets in
                    binCounts.withUnsafeBufferPointer { binCounts in
                        for r in first..<batch {
                            let slot = next * width
                            let source = r * width
                            let full = rows == capacity
                            for f in 0..<width {
                                if full { counts[offsets[f] + Int(ring[slot + f])] -= 1 }
                                let bin = min(Int(binned[source + f]), binCounts[f] - 1)
                                ring[slot + f] = UInt16(truncatingIfNeeded: bin)
                                counts[offsets[f] + bin] += 1
                            }
                            if !full { rows += 1 }
                            next = next + 1 == capacity ? 0 : next + 1
                        }
                    }
                }
            }
        }
        self.next = next
        self.rows = rows
    }

    /// Adds one row from its bins (`profile.features.count + 1` values).
    public mutating func add(bins: [UInt16]) {
        bins.withUnsafeBufferPointer { add(binned: $0) }
    }

    /// The population stability index of feature `index` (`profile.features.count` for the prediction):
    /// Σ (live − train)·ln(live / train) over the bins, each share floored at 1e-4 so an empty bin stays finite.
    public func psi(_ index: Int) -> Double {
        guard rows > 0 else { return 0 }
        let expected = index < profile.features.count ? profile.features[index].fractions : profile.prediction.fractions
        var total = 0.0
        for (bin, train) in expected.enumerated() where bin < binCounts[index] {
            let live = Double(counts[offsets[index] + bin]) / Double(rows)
            guard live > 0 || train > 0 else { continue }
            let a = max(live, 1e-4), e = max(train, 1e-4)
            total += (a - e) * log(a / e)
        }
        return total
    }

    /// The report of the window as it is now.
    public func report(threshold: Double, minimumRows: Int) -> DriftReport {
        let flaggable = rows >= min(minimumRows, capacity)
        let features = profile.features.enumerated().map { index, bins in
            let value = psi(index)
            return DriftReport.Entry(name: bins.name, psi: value, drifted: flaggable && value > threshold)
        }
        let prediction = psi(profile.features.count)
        return DriftReport(
            rows: rows, window: capacity, threshold: threshold, minimumRows: minimumRows, features: features,
            prediction: DriftReport.Entry(name: "prediction", psi: prediction, drifted: flaggable && prediction > threshold))
    }
}

extension DriftWindow {
    /// Adds rows already binned by `DriftProfile.bins` (each row's feature bins, then its prediction's).
    public mutating func add(binned: [UInt16]) {
        binned.withUnsafeBufferPointer { add(binned: $0) }
    }

    /// Adds a batch given as numbers, row after row in input-column order (every input numeric).
    public mutating func add(numericRows values: [Double], predictions: Predictions) {
        add(binned: profile.bins(numericRows: values, predictions: predictions))
    }

    /// Adds a batch given as raw values in input-column order.
    public mutating func add(rows: [[InputValue]], predictions: Predictions) {
        add(binned: profile.bins(rows: rows, predictions: predictions))
    }

    /// Adds a batch given as `[column: value]` records.
    public mutating func add(records: [[String: InputValue]], predictions: Predictions) {
        add(binned: profile.bins(records: records, predictions: predictions))
    }
}

extension DriftProfile {
    /// The bins of a batch given as numbers, row after row in input-column order (every input numeric): per row,
    /// each feature's bin then the prediction's. Pure, so a server can bin outside its lock.
    public func bins(numericRows values: [Double], predictions: Predictions) -> [UInt16] {
        let d = features.count
        guard d > 0, values.count == d * predictions.count else { return [] }
        var bins = [UInt16](repeating: 0, count: (d + 1) * predictions.count)
        for r in 0..<predictions.count {
            let base = r * (d + 1)
            for f in 0..<d { bins[base + f] = UInt16(truncatingIfNeeded: features[f].bin(values[r * d + f])) }
            bins[base + d] = predictionBin(predictions, row: r)
        }
        return bins
    }

    /// The bins of a batch given as raw values in input-column order.
    public func bins(rows: [[InputValue]], predictions: Predictions) -> [UInt16] {
        let d = features.count
        guard rows.count == predictions.count else { return [] }
        var bins: [UInt16] = []
        bins.reserveCapacity((d + 1) * rows.count)
        for (r, row) in rows.enumerated() where row.count == d {
            for f in 0..<d { bins.append(UInt16(truncatingIfNeeded: features[f].bin(row[f]))) }
            bins.append(predictionBin(predictions, row: r))
        }
        return bins
    }

    /// The bins of a batch given as `[column: value]` records.
    public func bins(records: [[String: InputValue]], predictions: Predictions) -> [UInt16] {
        let names = features.map(\.name)
        return bins(rows: records.map { record in names.map { record[$0] ?? .missing } }, predictions: predictions)
    }

    func predictionBin(_ predictions: Predictions, row: Int) -> UInt16 {
        let bin = predictions.classIndices.isEmpty ? prediction.bin(predictions.values[row]) : predictions.classIndices[row]
        return UInt16(truncatingIfNeeded: bin)
    }
}
