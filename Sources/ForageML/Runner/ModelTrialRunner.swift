import ForageCore
import Foundation

/// The outcome of one built-in model trial.
public struct ModelTrialResult: Sendable {
    /// Final metrics: `val_*` and (when the data has a test part) `test_*`; each set includes `loss` (log loss or
    /// mean squared error), so `val_loss` is available as an objective for every family.
    public var metrics: [String: Double]
    /// True when the progress callback stopped the trial early.
    public let stopped: Bool
    /// True when the `StopCheck` ended the training loop early (the model is the one trained by then).
    public var stoppedByCheck: Bool = false
    /// Steps run (MLP epochs; solver iterations; 1 for ridge).
    public let steps: Int
    /// The trained model, ready to write with `ModelFile.write(to:)`.
    public var model: ModelFile
    /// The family actually trained (resolves `auto`).
    public let family: String
    /// Wall time of the fit alone, in seconds.
    public let fitSeconds: Double
    /// Floating-point operations of the training loop's matrix products.
    public let flops: Double
}

/// The single entry point the engine calls for `trial: {model: …}`: resolves the family (or `auto`), fits on the
/// shared `PreparedData`, reports per-epoch validation metrics, and returns final validation and test metrics with
/// the model file. Synchronous and CPU-bound: call it from a Dispatch queue, not from the cooperative pool.
public enum ModelTrialRunner {
    /// Runs one trial. `threads` > 0 sets OpenBLAS's (process-wide) thread count first; pass 1 when trials run in
    /// parallel, 0 to leave it as it is. `treeThreads` is the thread count of families that thread themselves
    /// (gbdt): 2 when a trial runs alone on this 2-core class of machine, 1 when trials run in parallel.
    /// `report(step, metrics)` returning false stops the trial promptly; `stop` is asked inside the training loop
    /// (see `Trainer.fit(_:threads:stop:report:)`) and ends it with the model trained so far.
    public static func run(
        family: String, params: ParameterSet, data: PreparedData, threads: Int, treeThreads: Int = 1,
        stop: StopCheck = .never, report: ProgressCallback
    ) throws -> ModelTrialResult {
        if threads > 0 { BLASThreads.set(threads) }
        let type = try TrainerRegistry.resolveFamily(family, parameters: params, task: data.task)
        let trainer = try type.init(parameters: params, task: data.task)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try trainer.fit(data, threads: max(1, treeThreads), stop: stop, report: report)
        let elapsed = start.duration(to: clock.now)
        let fitSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18

        var recorded = params
        for (name, value) in trainer.effectiveParameters where recorded[name] == nil { recorded[name] = value }
        let header = ModelHeader(
            formatVersion: ModelHeader.currentFormatVersion, family: type.family, task: data.task, target: data.target,
            featureNames: data.featureNames, encoder: data.encoder.keepingMissing(type.handlesMissing && data.spec.missing == .native),
            classLabels: data.classLabels, hyperparameters: recorded,
            settings: outcome.settings, targetMean: outcome.targetMean, targetScale: outcome.targetScale, metrics: [:],
            dataSHA256: data.sha256, tensors: [], payloadSHA256: "")
        var file = ModelFile(header: header, tensors: outcome.tensors)
        let model = try Model(file: file)
        let trees = type.handlesMissing
        var metrics = evaluate(model, on: data.validation, task: data.task, trees: trees).prefixed("val_")
        if data.test.count > 0 {
            metrics.merge(evaluate(model, on: data.test, task: data.task, trees: trees).prefixed("test_")) { $1 }
        }
        file.header.metrics = metrics
        file.header.drift = DriftProfile.fit(encoder: data.encoder, features: data.train.features, predictions: model.predict(features: data.train.features))
        return ModelTrialResult(
            metrics: metrics, stopped: outcome.stopped, stoppedByCheck: outcome.stoppedByCheck, steps: outcome.steps, model: file, family: type.family,
            fitSeconds: fitSeconds, flops: outcome.flops)
    }

    /// Metrics of a model on one split (no prefix); `trees` scores the split's `treeFeatures` (missing cells kept).
    public static func evaluate(_ model: Model, on split: DataSplit, task: DataSpec.Task, trees: Bool = false) -> [String: Double] {
        guard split.count > 0 else { return [:] }
        let predictions = model.predict(features: trees ? split.treeFeatures : split.features)
        var metrics: [String: Double]
        switch task {
        case .classification:
            guard let probabilities = predictions.probabilities else { return [:] }
            metrics = ClassificationMetrics.compute(probabilities: probabilities, truth: split.classes)
            metrics["loss"] = metrics["logloss"]
        case .regression:
            metrics = RegressionMetrics.compute(predicted: predictions.values, truth: split.targets)
            metrics["loss"] = pow(metrics["rmse"] ?? 0, 2)
        }
        return metrics
    }
}
