import ForageCore

/// The progress callback of a training run: called with the step (epoch, 1-based) and that step's validation
/// metrics; returning `false` asks the trainer to stop now.
public typealias ProgressCallback = (_ step: Int, _ metrics: [String: Double]) -> Bool

/// What a trainer hands back: the model's weights and settings, and how the run ended.
public struct FitOutcome: Sendable {
    /// The weights, as stored in the model file.
    public var tensors: [Tensor]
    /// Family settings needed for prediction (e.g. `activation`).
    public var settings: [String: String]
    /// Regression MLP: target standardisation.
    public var targetMean: Double?
    public var targetScale: Double?
    /// Steps run (epochs or solver iterations).
    public var steps: Int
    /// True when the progress callback asked to stop before the end.
    public var stopped: Bool
    /// True when the `StopCheck` asked to stop before the end (the model is the one trained so far).
    public var stoppedByCheck: Bool
    /// Number of floating-point operations spent in the training loop's matrix products (for GFLOP/s).
    public var flops: Double

    public init(
        tensors: [Tensor], settings: [String: String] = [:], targetMean: Double? = nil, targetScale: Double? = nil,
        steps: Int, stopped: Bool = false, stoppedByCheck: Bool = false, flops: Double = 0
    ) {
        self.tensors = tensors
        self.settings = settings
        self.targetMean = targetMean
        self.targetScale = targetScale
        self.steps = steps
        self.stopped = stopped
        self.stoppedByCheck = stoppedByCheck
        self.flops = flops
    }
}

/// A built-in model family. A trainer is created from a trial's hyperparameters (validated in `init`, with the
/// defaults its documentation lists) and fits on prepared data, reporting progress through a callback.
public protocol Trainer: Sendable {
    /// The family's name in specs (`ridge`, `logistic`, `mlp`).
    static var family: String { get }
    /// The tasks this family handles.
    static var tasks: Set<DataSpec.Task> { get }
    /// Reads and validates the hyperparameters for `task`.
    init(parameters: ParameterSet, task: DataSpec.Task) throws
    /// The hyperparameters in effect, defaults filled in (stored in the model file).
    var effectiveParameters: ParameterSet { get }
    /// Fits the model on `data.train`; `report` receives validation metrics after each epoch where the family has
    /// epochs.
    func fit(_ data: PreparedData, report: ProgressCallback) throws -> FitOutcome
    /// Fits with up to `threads` threads of its own (families that thread through BLAS ignore it: OpenBLAS's count
    /// is set by the runner). The default calls `fit(_:report:)`.
    func fit(_ data: PreparedData, threads: Int, report: ProgressCallback) throws -> FitOutcome
    /// Fits as `fit(_:threads:report:)` and asks `stop` inside the training loop (every boosting round, epoch and
    /// 64 mini-batches, or solver iteration), ending it with the model trained so far when `stop` says so. The
    /// default (families that are one solve, such as ridge) never asks.
    func fit(_ data: PreparedData, threads: Int, stop: StopCheck, report: ProgressCallback) throws -> FitOutcome
    /// True when the family takes missing feature values (NaN) as they are (`data.missing: native`) and its model
    /// file's encoder must keep them; false (the default) when it trains on imputed features.
    static var handlesMissing: Bool { get }
}

extension Trainer {
    public func fit(_ data: PreparedData, threads: Int, report: ProgressCallback) throws -> FitOutcome {
        try fit(data, report: report)
    }

    public func fit(_ data: PreparedData, threads: Int, stop: StopCheck, report: ProgressCallback) throws -> FitOutcome {
        try fit(data, threads: threads, report: report)
    }

    public static var handlesMissing: Bool { false }
}
