import ForageCore

/// The JSON header of a model file: everything needed to rebuild the model and its preprocessing, plus where each
/// tensor lies in the weights that follow.
public struct ModelHeader: Sendable, Codable, Equatable {
    /// The format version this code writes; files with a larger version are refused.
    ///
    /// History: 1 = ridge, logistic, mlp; 2 = adds the `gbdt` family (tree tensors) and the encoder's optional
    /// `keepsMissing` flag. Version-1 files load unchanged.
    public static let currentFormatVersion = 2

    /// Where one tensor lies in the payload.
    public struct TensorEntry: Sendable, Codable, Equatable {
        public var name: String
        /// `float32` or `float64`, little-endian.
        public var dtype: String
        public var shape: [Int]
        /// Byte offset from the start of the payload.
        public var offset: Int
        public var byteCount: Int
    }

    /// File format version.
    public var formatVersion: Int
    /// Trainer family: `ridge`, `logistic`, `mlp`, `gbdt`.
    public var family: String
    /// Classification or regression.
    public var task: DataSpec.Task
    /// The target column's name in the training data.
    public var target: String
    /// The encoded feature names, in model input order.
    public var featureNames: [String]
    /// Input columns, categorical encodings, imputation values and the scaler's means and scales.
    public var encoder: FeatureEncoder
    /// Class labels in output order (empty for regression).
    public var classLabels: [String]
    /// The trial's hyperparameters.
    public var hyperparameters: ParameterSet
    /// Family-specific settings needed at prediction time (e.g. the MLP's `activation`).
    public var settings: [String: String]
    /// Regression MLP: the training target's mean and scale (outputs are de-standardised with them).
    public var targetMean: Double?
    public var targetScale: Double?
    /// Final metrics (`val_*`, `test_*`).
    public var metrics: [String: Double]
    /// SHA-256 of the training data file.
    public var dataSHA256: String
    /// The tensors, in payload order.
    public var tensors: [TensorEntry]
    /// SHA-256 (hex) of the payload, to detect corruption.
    public var payloadSHA256: String
    /// The training distribution of the raw features and of the predictions, for drift monitoring. Optional and
    /// additive (no format version change): files written before it load with nil, and readers that do not know
    /// it ignore it.
    public var drift: DriftProfile? = nil
}
