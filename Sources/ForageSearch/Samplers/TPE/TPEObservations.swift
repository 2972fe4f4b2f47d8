import ForageCore
import Synchronization

/// The coordinates of the trials one TPE suggestion learns from, for each modelled parameter, read in one pass over
/// each trial's parameters. Looking every name up in every trial's dictionary hashed the name each time (30
/// parameters × 525 trials per suggestion with several objectives, and Swift's string hashing is slow next to
/// the rest); here each entry's name is found in a small table of the modelled names with a cheap hash of its
/// bytes and one string comparison. What is read is what `params[name]` and `TPEAxis.coordinate(of:)` give.
struct TPEObservations {
    /// What a trial holds for a parameter.
    enum Entry: UInt8 {
        /// The trial has no value for it (a conditional parameter inactive there, or one added since it ran).
        case missing
        /// A value outside the parameter's distribution.
        case outside
        /// A coordinate.
        case coordinate
    }

    /// Indices into `history.trials` of the rows, in order.
    let trials: [Int]
    private let names: NameTable
    private var entries: [Entry]
    private var values: [Double]

    /// `names` and `axes` describe the modelled parameters (the columns), in order. `cache` (the sampler's) holds
    /// the rows of the last call by trial revision: a trial it has seen is copied from it instead of read again.
    init(history: TrialHistory, trials: [Int], names: [String], axes: [TPEAxis], cache: ObservationRowCache? = nil) {
        self.trials = trials
        let table = NameTable(names)
        self.names = table
        let rows = trials.count
        let width = names.count
        let known = cache?.rows(names: names, axes: axes)
        var seen = ObservationRowCache.Rows(width: width)
        seen.reserve(rows)
        var entries = [Entry](repeating: .missing, count: rows * width)
        var values = [Double](repeating: 0, count: rows * width)
        axes.withUnsafeBufferPointer { axes in
            for (row, index) in trials.enumerated() {
                let revision = history.revisions[index]
                if let known, let start = known.start(of: revision) {
                    for column in 0..<width {
                        entries[column * rows + row] = known.entries[start + column]
                        values[column * rows + row] = known.values[start + column]
                    }
                    seen.append(revision, entries: known.entries[start..<(start + width)], values: known.values[start..<(start + width)])
                    continue
                }
                var rowEntries = [Entry](repeating: .missing, count: width)
                var rowValues = [Double](repeating: 0, count: width)
                for (name, value) in history.trials[index].params.values {
                    guard let column = table.column(of: name) else { continue }
                    if let t = axes[column].coordinate(of: value) {
                        rowEntries[column] = .coordinate
                        rowValues[column] = t
                    } else {
                        rowEntries[column] = .outside
                    }
                }
                for column in 0..<width {
                    entries[column * rows + row] = rowEntries[column]
                    values[column * rows + row] = rowValues[column]
                }
                seen.append(revision, entries: rowEntries[...], values: rowValues[...])
            }
        }
        cache?.store(seen, names: names, axes: axes)
        self.entries = entries
        self.values = values
    }

    /// The column of a modelled parameter.
    func column(_ name: String) -> Int? { names.column(of: name) }

    /// The coordinates of `rows` in `column` when every one of those rows holds a coordinate there (the common
    /// case: no inactive, added or out-of-range values), else nil.
    func coordinates(_ column: Int, _ rows: Range<Int>) -> ArraySlice<Double>? {
        let base = column * trials.count
        for row in rows where entries[base + row] != .coordinate { return nil }
        return values[(base + rows.lowerBound)..<(base + rows.upperBound)]
    }

    /// What row `row` holds in `column`, and its coordinate when it holds one.
    func entry(_ column: Int, _ row: Int) -> (Entry, Double) {
        let slot = column * trials.count + row
        return (entries[slot], values[slot])
    }
}

/// The observation rows of a TPE sampler's last suggestion, by trial revision (`TrialHistory.revisions`), for the
/// parameters and distributions they were read for: a pure speed-up (a revision names one exact trial, so a row
/// copied from here is the row reading the trial gives). Only the last call's rows are kept, so it stays as small
/// as one suggestion's observations.
final class ObservationRowCache: Sendable {
    /// Rows, `width` entries each, with the start of each revision's row.
    struct Rows {
        let width: Int
        var entries: [TPEObservations.Entry] = []
        var values: [Double] = []
        private var starts: [UInt64: Int] = [:]

        init(width: Int) { self.width = width }

        mutating func reserve(_ rows: Int) {
            entries.reserveCapacity(rows * width)
            values.reserveCapacity(rows * width)
            starts.reserveCapacity(rows)
        }

        func start(of revision: UInt64) -> Int? { starts[revision] }

        mutating func append(_ revision: UInt64, entries rowEntries: ArraySlice<TPEObservations.Entry>, values rowValues: ArraySlice<Double>) {
            guard starts[revision] == nil else { return }
            starts[revision] = entries.count
            entries.append(contentsOf: rowEntries)
            values.append(contentsOf: rowValues)
        }
    }

    private struct Stored: Sendable {
        let names: [String]
        let distributions: [Distribution]
        let rows: Rows
    }

    private let last = Mutex<Stored?>(nil)

    /// The rows stored for exactly these columns, or nil.
    func rows(names: [String], axes: [TPEAxis]) -> Rows? {
        let distributions = axes.map(\.distribution)
        return last.withLock { last in
            guard let last, last.names == names, last.distributions == distributions else { return nil }
            return last.rows
        }
    }

    func store(_ rows: Rows, names: [String], axes: [TPEAxis]) {
        let stored = Stored(names: names, distributions: axes.map(\.distribution), rows: rows)
        last.withLock { $0 = stored }
    }
}

/// Names to their positions: open addressing over an FNV-1a hash of the UTF-8 bytes (the first position of a
/// repeated name wins).
private struct NameTable {
    private var slots: [Int]
    private let names: [String]
    private let mask: Int

    init(_ names: [String]) {
        self.names = names
        var capacity = 8
        while capacity < 2 * names.count { capacity *= 2 }
        mask = capacity - 1
        slots = [Int](repeating: -1, count: capacity)
        for (position, name) in names.enumerated() where column(of: name) == nil {
            var slot = Self.hash(name) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = position
        }
    }

    static func hash(_ name: String) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    func column(of name: String) -> Int? {
        var slot = Self.hash(name) & mask
        while slots[slot] >= 0 {
            if names[slots[slot]] == name { return slots[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
