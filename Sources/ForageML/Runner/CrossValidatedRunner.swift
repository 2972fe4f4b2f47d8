import ForageCore

/// Runs one configuration on every fold of a `CrossValidationFolds` and scores it by the mean over the folds: each
/// `val_*` metric is the mean of the folds' validation metrics (so `val_loss` is the cross-validated loss the search
/// optimizes). The trial's model is its first fold's (trained on (k − 1)/k of the training + validation rows), and
/// `test_*` are that model's test metrics. The result's metrics add `cv_folds` (folds scored), `cv_steps` (the mean
/// rounds or epochs the folds kept, which a refit uses) and `cv_train_rows` (the mean training rows of a fold).
public enum CrossValidatedRunner {
    /// Runs the folds in turn, each as `ModelTrialRunner.run`. `keepGoing` is asked at each fold's progress reports
    /// (returning false ends that fold, and no later fold starts); `stop` is asked inside each training loop and
    /// before each fold after the first: once it fires the folds scored so far are the result.
    public static func run(
        family: String, params: ParameterSet, folds: CrossValidationFolds, threads: Int, treeThreads: Int = 1,
        stop: StopCheck = .never, keepGoing: ProgressCallback
    ) throws -> ModelTrialResult {
        var results: [ModelTrialResult] = []
        var cutBeforeAFold = false
        for (index, fold) in folds.folds.enumerated() {
            if index > 0, stop.shouldStop {
                cutBeforeAFold = true
                break
            }
            let result = try ModelTrialRunner.run(
                family: family, params: params, data: fold, threads: threads, treeThreads: treeThreads, stop: stop, report: keepGoing)
            results.append(result)
            if result.stopped || result.stoppedByCheck { break }
        }
        guard let first = results.first else {
            throw TrainerError.badParameter(family: family, name: "data.folds", value: "0", allowed: "at least one fold")
        }
        var metrics = first.metrics.filter { !$0.key.hasPrefix("val_") }
        var sums: [String: (total: Double, count: Int)] = [:]
        for result in results {
            for (name, value) in result.metrics where name.hasPrefix("val_") {
                let sum = sums[name] ?? (0, 0)
                sums[name] = (sum.total + value, sum.count + 1)
            }
        }
        for (name, sum) in sums { metrics[name] = sum.total / Double(sum.count) }
        let meanSteps = Double(results.reduce(0) { $0 + $1.steps }) / Double(results.count)
        let scored = folds.folds.prefix(results.count)
        metrics["cv_folds"] = Double(results.count)
        metrics["cv_steps"] = meanSteps
        metrics["cv_train_rows"] = Double(scored.reduce(0) { $0 + $1.train.count }) / Double(results.count)
        var model = first.model
        model.header.metrics = metrics
        return ModelTrialResult(
            metrics: metrics, stopped: results.contains { $0.stopped }, stoppedByCheck: cutBeforeAFold || results.contains { $0.stoppedByCheck },
            steps: max(1, Int(meanSteps.rounded())), model: model, family: first.family,
            fitSeconds: results.reduce(0) { $0 + $1.fitSeconds }, flops: results.reduce(0) { $0 + $1.flops })
    }
}
