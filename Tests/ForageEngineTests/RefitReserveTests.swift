import ForageBackends
import ForageCore
import ForageEngine
import ForageExecutor
import ForageStore
import ForageTesting
import Foundation
import Testing

/// `budget.time` keeps the refit's estimated time back: once a trial completes, the trials' deadline moves to the
/// budget's end less the estimate for the best trial, and `budget.time` counts from `RunOptions.timeOrigin`.
@Suite struct RefitReserveTests {
    func spec(time: Double) -> ExperimentSpec {
        ExperimentSpec(
            name: "r", objective: Objective(metric: "value", direction: .minimize), trial: TrialSpec(kind: .function(name: "sphere")),
            searchSpace: SearchSpace([Parameter(name: "x0", distribution: .float(low: -2, high: 2, log: false, step: nil))]),
            searcher: SearcherSpec(algorithm: "random", seed: 5),
            budget: Budget(trials: 50, parallel: 1, time: time), source: "r")
    }

    func run(_ spec: ExperimentSpec, options: RunOptions) async throws -> (RunSummary, SearchEngine) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreFactory.open(directory.url.path, access: .create).experiments
        let engine = try await ExperimentRunner.start(
            spec: spec, specPath: nil, data: nil, store: store, executor: FunctionExecutor(), options: options)
        return (try await engine.run(), engine)
    }

    @Test func aRefitEstimateLargerThanTheBudgetStopsTheSearchAfterTheFirstTrial() async throws {
        var options = RunOptions()
        // Whatever the first trial took, the refit "needs" more than the whole hour: nothing else starts.
        options.refitEstimate = { _ in 7200 }
        let (summary, engine) = try await run(spec(time: 3600), options: options)
        #expect(summary.done == 1, "\(summary.done) trials")
        #expect(summary.state == "finished", "\(summary.state)")
        #expect(await engine.bestTrialSeconds != nil)
    }

    @Test func withoutAnEstimateTheTrialCountEndsAnHourLongSearch() async throws {
        let (summary, engine) = try await run(spec(time: 3600), options: RunOptions())
        #expect(summary.done == 50)
        #expect(engine.budgetEnd != nil)
    }

    @Test func theBudgetCountsFromTheTimeOrigin() async throws {
        var options = RunOptions()
        // An origin an hour ago: a 60 s budget is spent before the first trial could start.
        options.timeOrigin = ContinuousClock.now - .seconds(3600)
        let (summary, _) = try await run(spec(time: 60), options: options)
        #expect(summary.done == 0, "\(summary.done) trials")
    }

    @Test func theEstimateScalesByTheLargerTrainingSetWithAMargin() {
        #expect(abs(Refit.estimatedSeconds(bestTrialSeconds: 2, trainRows: 600, validationRows: 200) - (2 * 800.0 / 600 * 1.2 + 0.25)) < 1e-12)
        #expect(Refit.estimatedSeconds(bestTrialSeconds: 0, trainRows: 0, validationRows: 0) == 0.25)
        #expect(Refit.estimatedSeconds(bestTrialSeconds: 3, trainRows: 600, validationRows: 300, margin: false) == 4.5)
    }

    @Test func aCrossValidatedTrialsRefitIsOneFoldScaledByKOverKMinusOne() {
        // 5 folds in 10 s: one fold took 2 s on 4/5 of the rows, so the refit on all of them takes 2.5 s.
        #expect(abs(Refit.estimatedSeconds(bestTrialSeconds: 10, trainRows: 600, validationRows: 200, folds: 5, margin: false) - 2.5) < 1e-12)
        #expect(abs(Refit.estimatedSeconds(bestTrialSeconds: 10, trainRows: 600, validationRows: 200, folds: 5) - (2.5 * 1.2 + 0.25)) < 1e-12)
    }

    @Test func aTrialDeadlineCanMoveBothWays() {
        let deadline = TrialDeadline(ContinuousClock.now + .seconds(3600))
        #expect(!deadline.hasPassed)
        deadline.move(to: ContinuousClock.now - .seconds(1))
        #expect(deadline.hasPassed)
        deadline.move(to: ContinuousClock.now + .seconds(3600))
        #expect(!deadline.hasPassed)
    }
}
