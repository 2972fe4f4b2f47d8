import ForageCore

/// Splits row indices into training, validation and test parts once, with the data seed; classification splits are
/// stratified (each class is split in the same proportions).
enum Splitter {
    struct Parts {
        var train: [Int]
        var validation: [Int]
        var test: [Int]
    }

    static func split(count: Int, classes: [Int]?, validation: Double, test: Double, seed: UInt64, path: String) throws -> Parts {
        guard validation > 0, test >= 0, validation + test < 1, validation.isFinite, test.isFinite else {
            throw DatasetError.badSplit(
                path: path, reason: "validation (\(validation)) must be > 0, test (\(test)) >= 0, and together < 1")
        }
        var generator = SplitMix64(seed: seed, stream: 0x5EED_5711)
        var groups: [[Int]]
        if let classes {
            var byClass: [Int: [Int]] = [:]
            for (index, label) in classes.enumerated() { byClass[label, default: []].append(index) }
            groups = byClass.keys.sorted().compactMap { byClass[$0] }
        } else {
            groups = [Array(0..<count)]
        }
        var parts = Parts(train: [], validation: [], test: [])
        for var group in groups {
            shuffle(&group, &generator)
            let n = group.count
            let nTest = Int((Double(n) * test).rounded())
            let nValidation = Int((Double(n) * validation).rounded())
            parts.test += group.prefix(nTest)
            parts.validation += group.dropFirst(nTest).prefix(nValidation)
            parts.train += group.dropFirst(nTest + nValidation)
        }
        parts.train.sort()
        parts.validation.sort()
        parts.test.sort()
        guard !parts.train.isEmpty, !parts.validation.isEmpty, test == 0 || !parts.test.isEmpty else {
            throw DatasetError.badSplit(
                path: path,
                reason: "\(count) rows give \(parts.train.count) training, \(parts.validation.count) validation and \(parts.test.count) test rows")
        }
        return parts
    }

    /// Fisher–Yates with the seeded generator (independent of the standard library's shuffle algorithm).
    static func shuffle(_ values: inout [Int], _ generator: inout SplitMix64) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            values.swapAt(i, j)
        }
    }
}
