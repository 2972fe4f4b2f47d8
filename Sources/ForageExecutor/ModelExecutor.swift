import ForageCore
import ForageML
import Foundation

/// Runs built-in trainers (`trial: {model: …}`) in this process, on a Dispatch queue, on a dataset loaded once per
/// experiment. Each completed trial saves its model as `model.forage` in the trial folder. With cross-validation
/// (`evaluation`), a trial trains on every fold in turn (`CrossValidatedRunner`), reports once, at its end (step =
/// the mean rounds or epochs of its folds, with the mean validation metrics), and saves its first fold's model.
public struct ModelExecutor: TrialExecutor {
    /// The name of the model file inside a trial folder (what `promote` and `predict` read).
    public static let modelFileName = ArtifactNames.model

    public let data: PreparedData
    public let family: String
    /// OpenBLAS threads per trial: 1 by default (on 2 cores one thread per trial is fastest, see README).
    public let threads: Int
    /// Threads of families that thread themselves (gbdt): 2 when trials run one at a time, 1 when in parallel.
    public let treeThreads: Int
    /// The folds trials are cross-validated on, or nil for holdout (train on `data.train`, score on `data.validation`).
    public let folds: CrossValidationFolds?
    private let queue: DispatchQueue

    public init(
        data: PreparedData, family: String, threads: Int = BLASThreads.recommendedDefault, treeThreads: Int = 1,
        folds: CrossValidationFolds? = nil
    ) {
        self.data = data
        self.family = family
        self.threads = threads
        self.treeThreads = treeThreads
        self.folds = folds
        self.queue = DispatchQueue(label: "forage.trainers", qos: .userInitiated, attributes: .concurrent)
    }

    public func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: train(invocation, reporter: reporter))
            }
        }
    }

    private func train(_ invocation: TrialInvocation, reporter: TrialReporter) -> TrialOutcome {
        var result: ModelTrialResult
        var cutAtDeadline = false
        var lastReported = 0
        // Asked inside the training loop (every round, epoch and 64 mini-batches, or solver step): an interrupted
        // trial or a passed budget.time deadline ends the loop there, not only at the next report.
        let cancellation = reporter.cancellation
        let deadline = invocation.deadline
        let stop = StopCheck { cancellation.isCancelled || deadline?.hasPassed == true }
        do {
            if let folds {
                // No per-step reports (there is no single curve to prune on): only interruptions and the deadline end a fold.
                result = try CrossValidatedRunner.run(
                    family: family, params: invocation.params, folds: folds, threads: threads, treeThreads: treeThreads, stop: stop
                ) { _, _ in
                    if reporter.cancellation.isCancelled { return false }
                    if invocation.deadline?.hasPassed == true {
                        cutAtDeadline = true
                        return false
                    }
                    return true
                }
                if !reporter.cancellation.isCancelled {
                    lastReported = result.steps
                    _ = reporter.reportBlocking(step: result.steps, values: result.metrics.filter { $0.key.hasPrefix("val_") })
                }
            } else {
                result = try ModelTrialRunner.run(
                    family: family, params: invocation.params, data: data, threads: threads, treeThreads: treeThreads, stop: stop
                ) { step, metrics in
                    if reporter.cancellation.isCancelled { return false }
                    lastReported = step
                    guard reporter.reportBlocking(step: step, values: metrics) == .continue else { return false }
                    // budget.time ran out: stop training, keep the model as it is (reported below, not hidden).
                    if invocation.deadline?.hasPassed == true {
                        cutAtDeadline = true
                        return false
                    }
                    return true
                }
            }
        } catch {
            return .failed(reason: .error, message: "\(error)", metrics: [:])
        }
        if reporter.cancellation.isCancelled {
            return .failed(reason: .interrupted, message: "stopped before it finished", metrics: result.metrics)
        }
        // Not cancelled, so a stop check that fired was the deadline's.
        if result.stoppedByCheck {
            cutAtDeadline = true
            // Its last step is the rounds or epochs it ran (as a report there would have said).
            if result.steps > lastReported {
                _ = reporter.reportBlocking(step: result.steps, values: result.metrics.filter { $0.key.hasPrefix("val_") })
            }
        }
        var builder = OutcomeBuilder(objective: invocation.objective)
        if (result.stopped || result.stoppedByCheck) && cutAtDeadline {
            result.metrics["stopped_at_deadline"] = 1
            result.model.header.metrics["stopped_at_deadline"] = 1
        }
        builder.add(MetricReport(step: nil, values: result.metrics))
        if result.stopped && !cutAtDeadline { return builder.pruned() }
        do {
            try FileManager.default.createDirectory(at: invocation.directory, withIntermediateDirectories: true)
            try result.model.write(to: invocation.directory.appendingPathComponent(Self.modelFileName).path)
        } catch {
            return .failed(reason: .error, message: "the model trained but could not be saved: \(error)", metrics: result.metrics)
        }
        return builder.completed()
    }
}
