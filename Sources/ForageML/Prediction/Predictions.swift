/// A model's answers for a batch: class labels (with probabilities) for classification, values for regression.
public struct Predictions: Sendable, Equatable {
    /// Classification: the predicted label of each row.
    public let labels: [String]
    /// Classification: the predicted class index of each row.
    public let classIndices: [Int]
    /// Regression: the predicted value of each row.
    public let values: [Double]
    /// Classification: the probability of each class (rows × classes, columns in `classLabels` order).
    public let probabilities: Matrix<Double>?
    /// The model's class labels (empty for regression).
    public let classLabels: [String]
    /// Categorical inputs whose value training never saw (answered as if the category were missing), in row order.
    public internal(set) var unseenCategories: [UnseenCategory] = []

    /// Number of rows predicted.
    public var count: Int { max(labels.count, values.count) }

    init(probabilities: Matrix<Double>, classLabels: [String]) {
        let indices = ClassificationMetrics.argmax(probabilities)
        self.classIndices = indices
        self.labels = indices.map { classLabels[$0] }
        self.values = []
        self.probabilities = probabilities
        self.classLabels = classLabels
    }

    init(values: [Double]) {
        self.labels = []
        self.classIndices = []
        self.values = values
        self.probabilities = nil
        self.classLabels = []
    }

    /// Each row's probabilities by class label (empty for regression).
    public var probabilityRecords: [[String: Double]] {
        guard let probabilities else { return [] }
        return (0..<probabilities.rows).map { r in
            Dictionary(uniqueKeysWithValues: classLabels.enumerated().map { ($1, probabilities[r, $0]) })
        }
    }
}
