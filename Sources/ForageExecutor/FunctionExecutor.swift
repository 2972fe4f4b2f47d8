import ForageCore
import Foundation

/// Runs built-in benchmark functions in this process, on a Dispatch queue so the cooperative pool stays free.
///
/// With `steps: N` a trial reports N intermediate values converging to the function's value (a learning curve);
/// `sleep` waits `seconds` (split over its steps). Cancellation and the per-trial timeout are checked between steps.
///
/// A function that can neither sleep nor wait for a scheduler's decision costs microseconds: handing it to a
/// Dispatch thread would cost more than running it, so it runs inline, where it cannot block anything.
public struct FunctionExecutor: TrialExecutor {
    private let queue: DispatchQueue

    public init(queue: DispatchQueue = DispatchQueue(label: "forage.trials", qos: .userInitiated, attributes: .concurrent)) {
        self.queue = queue
    }

    public func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome {
        if case .function(let name) = invocation.spec.kind, name != BenchmarkFunction.sleep.rawValue, !reporter.waitsForDecisions {
            return Self.evaluate(invocation, reporter: reporter)
        }
        return await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Self.evaluate(invocation, reporter: reporter))
            }
        }
    }

    /// The whole trial, synchronously (on a Dispatch thread).
    static func evaluate(_ invocation: TrialInvocation, reporter: TrialReporter) -> TrialOutcome {
        guard case .function(let name) = invocation.spec.kind, let function = BenchmarkFunction(rawValue: name) else {
            return .failed(reason: .error, message: "not a built-in function trial", metrics: [:])
        }
        let deadline = invocation.spec.timeout.map { Date().addingTimeInterval($0) }
        var builder = OutcomeBuilder(objective: invocation.objective)
        let final: Double
        let finals: [String: Double]
        do {
            finals = try function.metrics(invocation.params, objectives: invocation.spec.functionObjectives)
            final = finals[function.metricNames(objectives: invocation.spec.functionObjectives)[0]] ?? 0
        } catch {
            return .failed(reason: .error, message: "\(error)", metrics: [:])
        }
        let steps = invocation.spec.steps ?? 0
        let pause = function == .sleep ? final / Double(max(steps, 1)) : 0
        for step in 1...max(steps, 1) {
            if pause > 0, let failure = sleep(pause, until: deadline, reporter: reporter) { return failure }
            if reporter.cancellation.isCancelled {
                return .failed(reason: .interrupted, message: "stopped before it finished", metrics: builder.metrics)
            }
            guard steps > 0 else { break }
            let value = BenchmarkFunction.curve(final: final, step: step, steps: steps)
            let curveMetric = function.metricNames(objectives: invocation.spec.functionObjectives)[0]
            builder.add(MetricReport(step: step, values: [curveMetric: value]))
            if reporter.reportBlocking(step: step, values: [curveMetric: value]) == .stop { return builder.pruned() }
        }
        if let deadline, Date() > deadline {
            return .failed(reason: .timeout, message: "exceeded its timeout of \(invocation.spec.timeout ?? 0) s", metrics: builder.metrics)
        }
        builder.add(MetricReport(step: nil, values: finals))
        return builder.completed()
    }

    /// Sleeps in short slices so a stop or a timeout is noticed within 50 ms.
    private static func sleep(_ seconds: Double, until deadline: Date?, reporter: TrialReporter) -> TrialOutcome? {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if reporter.cancellation.isCancelled { return .failed(reason: .interrupted, message: "stopped before it finished", metrics: [:]) }
            if let deadline, Date() > deadline { return .failed(reason: .timeout, message: "exceeded its timeout", metrics: [:]) }
            Thread.sleep(forTimeInterval: min(0.05, end.timeIntervalSinceNow))
        }
        return nil
    }
}
