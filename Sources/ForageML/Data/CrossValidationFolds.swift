import ForageCore

/// The k folds of cross-validation over a prepared dataset's training + validation rows (the test rows stay out):
/// each fold is a `PreparedData` whose validation part is one k-th of those rows and whose training part is the
/// rest, with the dataset's encoding (fitted on its training rows) and its test rows unchanged. Built once per
/// experiment from the data seed, so every trial is scored on the same folds; classification folds are stratified
/// (each class dealt round the folds in turn after a seeded shuffle).
public struct CrossValidationFolds: Sendable {
    /// The folds, each ready for a trainer.
    public let folds: [PreparedData]
    /// Training + validation rows, which the folds partition.
    public let rows: Int

    /// Number of folds.
    public var count: Int { folds.count }

    /// The mean number of training rows of a fold.
    public var meanTrainRows: Double {
        folds.isEmpty ? 0 : Double(folds.reduce(0) { $0 + $1.train.count }) / Double(folds.count)
    }

    /// Splits `data`'s training + validation rows into `count` folds (2 or more, and no more than those rows).
    public init(data: PreparedData, count: Int) throws {
        let merged = data.mergingValidationIntoTraining().train
        let n = merged.count
        guard count >= 2, n >= count else {
            throw DatasetError.badSplit(
                path: data.path, reason: "\(n) training + validation rows cannot make \(count) cross-validation folds")
        }
        var generator = SplitMix64(seed: data.spec.seed, stream: 0xC5F0_1D5)
        var groups: [[Int]]
        if data.task == .classification {
            var byClass: [Int: [Int]] = [:]
            for (index, label) in merged.classes.enumerated() { byClass[label, default: []].append(index) }
            groups = byClass.keys.sorted().compactMap { byClass[$0] }
        } else {
            groups = [Array(0..<n)]
        }
        // Dealt round the folds in turn, continuing across classes, so fold sizes differ by at most one row.
        var members = [[Int]](repeating: [], count: count)
        var next = 0
        for var group in groups {
            Splitter.shuffle(&group, &generator)
            for index in group {
                members[next].append(index)
                next = (next + 1) % count
            }
        }
        func part(_ indices: [Int]) -> DataSplit {
            DataSplit(
                features: merged.features.selectingRows(indices), treeFeatures: merged.treeFeatures.selectingRows(indices),
                targets: indices.map { merged.targets[$0] },
                classes: merged.classes.isEmpty ? [] : indices.map { merged.classes[$0] },
                rowNumbers: indices.map { merged.rowNumbers[$0] })
        }
        folds = (0..<count).map { k in
            let held = members[k].sorted()
            let rest = (0..<count).filter { $0 != k }.flatMap { members[$0] }.sorted()
            return PreparedData(
                path: data.path, sha256: data.sha256, rowCount: data.rowCount, columnCount: data.columnCount,
                usedRowCount: data.usedRowCount, task: data.task, target: data.target, encoder: data.encoder,
                classLabels: data.classLabels, train: part(rest), validation: part(held), test: data.test, spec: data.spec)
        }
        rows = n
    }
}
