import ForageCore

/// One part of the data (training, validation or test): encoded, standardised features and targets.
public struct DataSplit: Sendable {
    /// Features, one row per example (`Double`).
    public let features: Matrix<Double>
    /// The same features in `Float`, for the MLP's sgemm path.
    public let featuresFloat: Matrix<Float>
    /// The features tree families train on: the same as `features`, except that with `data.missing: native` a
    /// missing numeric cell is NaN here (and the imputed training mean in `features`).
    public let treeFeatures: Matrix<Double>
    /// Regression: the target values. Classification: the class index as a number.
    public let targets: [Double]
    /// Classification: the class index of each row (empty for regression).
    public let classes: [Int]
    /// The 1-based row number in the source file of each example (header = row 1).
    public let rowNumbers: [Int]

    /// Number of examples.
    public var count: Int { features.rows }

    init(features: Matrix<Double>, treeFeatures: Matrix<Double>? = nil, targets: [Double], classes: [Int], rowNumbers: [Int]) {
        self.features = features
        self.treeFeatures = treeFeatures ?? features
        self.featuresFloat = features.converted(to: Float.self)
        self.targets = targets
        self.classes = classes
        self.rowNumbers = rowNumbers
    }
}

/// A dataset ready for training: read once per experiment, split once with the data seed, encoded and standardised
/// with statistics of the training rows only. Immutable and `Sendable`, so trials running in parallel share it.
/// The engine stores `sha256`, the row counts and the split sizes with the experiment (data versioning).
public struct PreparedData: Sendable {
    /// The source file (or a description for in-memory data).
    public let path: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public let sha256: String
    /// Data rows in the file (without the header).
    public let rowCount: Int
    /// Columns in the file (features + target, before one-hot encoding).
    public let columnCount: Int
    /// Rows used after `missing: drop` (equals `rowCount` otherwise).
    public let usedRowCount: Int
    /// Classification or regression.
    public let task: DataSpec.Task
    /// The target column's name.
    public let target: String
    /// The fitted encoding (categories, imputation, scaler) that prediction repeats.
    public let encoder: FeatureEncoder
    /// Class labels in class-index order (empty for regression).
    public let classLabels: [String]
    /// The training rows.
    public let train: DataSplit
    /// The validation rows (what `val_*` metrics are computed on).
    public let validation: DataSplit
    /// The test rows (`test_*` metrics, computed once at the end of a trial).
    public let test: DataSplit
    /// The data spec the data was prepared with.
    public let spec: DataSpec

    /// The encoded feature names (one-hot columns expanded).
    public var featureNames: [String] { encoder.featureNames }
    /// Number of encoded features.
    public var featureCount: Int { encoder.featureCount }
    /// Sizes of the three parts.
    public var splitSizes: (train: Int, validation: Int, test: Int) { (train.count, validation.count, test.count) }
    /// Number of classes (0 for regression).
    public var classCount: Int { classLabels.count }

    init(
        path: String, sha256: String, rowCount: Int, columnCount: Int, usedRowCount: Int, task: DataSpec.Task, target: String,
        encoder: FeatureEncoder, classLabels: [String], train: DataSplit, validation: DataSplit, test: DataSplit, spec: DataSpec
    ) {
        self.path = path
        self.sha256 = sha256
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.usedRowCount = usedRowCount
        self.task = task
        self.target = target
        self.encoder = encoder
        self.classLabels = classLabels
        self.train = train
        self.validation = validation
        self.test = test
        self.spec = spec
    }
}

extension PreparedData {
    /// The same data with the validation rows added to the training rows (a refit's training set); the encoder
    /// (fitted on the training rows) and the test rows are unchanged, and `validation` keeps its rows so metrics
    /// can still be computed, though they are no longer held out.
    public func mergingValidationIntoTraining() -> PreparedData {
        func joined(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
            Matrix(rows: a.rows + b.rows, columns: a.columns, storage: a.storage + b.storage) ?? a
        }
        let merged = DataSplit(
            features: joined(train.features, validation.features),
            treeFeatures: joined(train.treeFeatures, validation.treeFeatures),
            targets: train.targets + validation.targets, classes: train.classes + validation.classes,
            rowNumbers: train.rowNumbers + validation.rowNumbers)
        return PreparedData(
            path: path, sha256: sha256, rowCount: rowCount, columnCount: columnCount, usedRowCount: usedRowCount, task: task,
            target: target, encoder: encoder, classLabels: classLabels, train: merged, validation: validation, test: test, spec: spec)
    }
}
