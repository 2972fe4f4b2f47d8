import ForageBackends
import ForageCore
import ForageEngine
import ForageExecutor
import ForageStore
import ForageTesting
import Foundation
import Testing

/// An executor whose outcome is scripted per trial, to test the engine's bookkeeping.
struct ScriptedExecutor: TrialExecutor {
    var outcome: @Sendable (TrialInvocation) -> TrialOutcome

    func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome {
        outcome(invocation)
    }
}

@Suite struct EngineTests {
    func spec(_ name: String, trials: Int, parallel: Int, retries: Int = 0, maxFailures: Int? = nil) -> ExperimentSpec {
        ExperimentSpec(
            name: name, objective: Objective(metric: "value", direction: .minimize), trial: TrialSpec(kind: .function(name: "sphere")),
            searchSpace: SearchSpace([
                Parameter(name: "x0", distribution: .float(low: -2, high: 2, log: false, step: nil)),
                Parameter(name: "x1", distribution: .int(low: -3, high: 3, log: false, step: 1)),
            ]),
            searcher: SearcherSpec(algorithm: "random", seed: 11),
            budget: Budget(trials: trials, parallel: parallel, maxFailures: maxFailures, retries: retries), source: name)
    }

    func run(_ spec: ExperimentSpec, store: any ExperimentStore, executor: any TrialExecutor = FunctionExecutor()) async throws -> RunSummary {
        let engine = try await ExperimentRunner.start(spec: spec, specPath: nil, data: nil, store: store, executor: executor, options: RunOptions())
        return try await engine.run()
    }

    @Test func seededRunsGiveTheSameParametersWhateverTheParallelism() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        _ = try await run(spec("serial", trials: 40, parallel: 1), store: store)
        _ = try await run(spec("parallel", trials: 40, parallel: 4), store: store)
        let serial = try await store.allTrials(try await store.requireExperiment("serial")).collect()
        let parallel = try await store.allTrials(try await store.requireExperiment("parallel")).collect()
        #expect(serial.count == 40)
        #expect(serial.map(\.params) == parallel.map(\.params))
        for trial in serial {
            #expect(trial.value == (try BenchmarkFunction.sphere.evaluate(trial.params)))
        }
    }

    @Test func aLearningSamplerIsReproducibleWithOneSlot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        var first = spec("tpe-a", trials: 30, parallel: 1)
        first.searcher = SearcherSpec(algorithm: "tpe", seed: 5)
        var second = first
        second.name = "tpe-b"
        _ = try await run(first, store: store)
        _ = try await run(second, store: store)
        let a = try await store.allTrials(try await store.requireExperiment("tpe-a")).collect()
        let b = try await store.allTrials(try await store.requireExperiment("tpe-b")).collect()
        #expect(a.count == 30)
        #expect(a.map(\.params) == b.map(\.params))
    }

    @Test func retriesRequeueWithTheSameParametersAndTheBudgetCountsTheRetry() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        // Every first attempt fails; every retry succeeds.
        let executor = ScriptedExecutor { invocation in
            invocation.attempt == 1
                ? .failed(reason: .error, message: "flaky", metrics: [:])
                : .completed(metrics: ["value": 1])
        }
        let summary = try await run(spec("retry", trials: 5, parallel: 2, retries: 1), store: store, executor: executor)
        #expect(summary.done == 5)
        let trials = try await store.allTrials(try await store.requireExperiment("retry")).collect()
        #expect(trials.count == 10)
        #expect(Set(trials.map(\.number)).count == 10)
        for retry in trials where retry.retryOf != nil {
            let original = try #require(trials.first { $0.number == retry.retryOf })
            #expect(original.params == retry.params && original.requeued && retry.state == .completed && retry.attempt == 2)
        }
    }

    @Test func maxFailuresStopsTheRunWithAnError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        let executor = ScriptedExecutor { _ in .failed(reason: .nan, message: "the objective 'value' was nan", metrics: [:]) }
        let summary = try await run(spec("broken", trials: 50, parallel: 1, maxFailures: 3), store: store, executor: executor)
        #expect(summary.isError)
        #expect(summary.state == "failed")
        #expect(summary.done == 3)
        #expect(summary.message?.contains("max_failures") == true)
    }

    @Test func learningCurvesAreStoredStepByStep() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        var curve = spec("curve", trials: 3, parallel: 2)
        curve.trial.steps = 5
        _ = try await run(curve, store: store)
        let trials = try await store.allTrials(try await store.requireExperiment("curve")).collect()
        #expect(trials.allSatisfy { $0.lastStep == 5 && $0.state == .completed })
    }
}
