import ForageCore

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

    /// `names` and `axes` describe the modelled parameters (the columns), in order.
    init(history: TrialHistory, trials: [Int], names: [String], axes: [TPEAxis]) {
        self.trials = trials
        let table = NameTable(names)
        self.names = table
        let rows = trials.count
        var entries = [Entry](repeating: .missing, count: rows * names.count)
        var values = [Double](repeating: 0, count: rows * names.count)
        axes.withUnsafeBufferPointer { axes in
            for (row, index) in trials.enumerated() {
                for (name, value) in history.trials[index].params.values {
                    guard let column = table.column(of: name) else { continue }
                    let slot = column * rows + row
                    if let t = axes[column].coordinate(of: value) {
                        entries[slot] = .coordinate
                        values[slot] = t
                    } else {
                        entries[slot] = .outside
                    }
                }
            }
        }
        self.entries = entries
        self.values = values
    }

    /// The column of a modelled parameter.
    func column(_ name: String) -> Int? { names.column(of: name) }

    /// What row `row` holds in `column`, and its coordinate when it holds one.
    func entry(_ column: Int, _ row: Int) -> (Entry, Double) {
        let slot = column * trials.count + row
        return (entries[slot], values[slot])
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
