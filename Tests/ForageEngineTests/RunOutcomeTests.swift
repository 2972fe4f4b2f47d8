import ForageBackends
import ForageCore
import ForageEngine
import ForageExecutor
import ForageStore
import ForageTesting
import Foundation
import Testing

/// An executor that fails each trial after a scripted delay, to test how a failing run ends.
struct DelayedFailureExecutor: TrialExecutor {
    var delay: @Sendable (Int) -> Duration
    var message: @Sendable (Int) -> String

    func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome {
        try? await Task.sleep(for: delay(invocation.number))
        return .failed(reason: .error, message: message(invocation.number), metrics: [:])
    }
}

/// How a run ends when its trials fail: every trial failed, or `max_failures` was hit.
@Suite struct RunOutcomeTests {
    func spec(_ name: String, trials: Int, parallel: Int, maxFailures: Int? = nil) -> ExperimentSpec {
        ExperimentSpec(
            name: name, objective: Objective(metric: "value", direction: .minimize), trial: TrialSpec(kind: .function(name: "sphere")),
            searchSpace: SearchSpace([Parameter(name: "x0", distribution: .float(low: -2, high: 2, log: false, step: nil))]),
            searcher: SearcherSpec(algorithm: "random", seed: 5),
            budget: Budget(trials: trials, parallel: parallel, maxFailures: maxFailures, retries: 0), source: name)
    }

    func run(_ spec: ExperimentSpec, executor: any TrialExecutor) async throws -> RunSummary {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        let engine = try await ExperimentRunner.start(spec: spec, specPath: nil, data: nil, store: store, executor: executor, options: RunOptions())
        return try await engine.run()
    }

    @Test func aRunWithNoCompletedTrialIsAnErrorThatCountsTheReasons() async throws {
        let executor = ScriptedExecutor { invocation in
            invocation.number % 3 == 2
                ? .failed(reason: .nan, message: "the objective 'value' was nan", metrics: [:])
                : .failed(reason: .error, message: "the trial reported no 'value'\nstderr: line two", metrics: [:])
        }
        let summary = try await run(spec("all-failed", trials: 6, parallel: 2), executor: executor)
        #expect(summary.isError)
        #expect(summary.state == "failed")
        #expect(summary.done == 6)
        let message = try #require(summary.message)
        #expect(message.hasPrefix("no trial completed: all 6 trials failed"), "\(message)")
        #expect(message.contains("error: 4 (e.g. trial 0: the trial reported no 'value' | stderr: line two)"), "\(message)")
        #expect(message.contains("nan: 2 (e.g. trial 2: the objective 'value' was nan)"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func oneCompletedTrialIsEnoughForASuccessfulRun() async throws {
        let executor = ScriptedExecutor { invocation in
            invocation.number == 3 ? .completed(metrics: ["value": 1]) : .failed(reason: .error, message: "boom", metrics: [:])
        }
        let summary = try await run(spec("one-ok", trials: 5, parallel: 1), executor: executor)
        #expect(!summary.isError)
        #expect(summary.state == "finished")
        #expect(summary.bestTrial == 3)
    }

    @Test func maxFailuresNamesTheLatestFailureAndCountsThemAll() async throws {
        // Both trials start together; trial 0 hits the limit at once, trial 1 fails later and is the last failure.
        let executor = DelayedFailureExecutor(
            delay: { $0 == 0 ? .zero : .milliseconds(300) }, message: { "failure of trial \($0)" })
        let summary = try await run(spec("late", trials: 10, parallel: 2, maxFailures: 1), executor: executor)
        #expect(summary.isError)
        let message = try #require(summary.message)
        #expect(message.contains("stopped after 2 failed trials (budget.max_failures: 1)"), "\(message)")
        #expect(message.hasSuffix("last failure: trial 1: error: failure of trial 1"), "\(message)")
    }

    @Test func maxFailuresOfOneSaysOneFailedTrial() async throws {
        let executor = DelayedFailureExecutor(delay: { _ in .zero }, message: { _ in "boom" })
        let summary = try await run(spec("single", trials: 10, parallel: 1, maxFailures: 1), executor: executor)
        let message = try #require(summary.message)
        #expect(message.contains("stopped after 1 failed trial (budget.max_failures: 1)"), "\(message)")
        #expect(message.hasSuffix("last failure: trial 0: error: boom"), "\(message)")
    }
}
