import ForageCore
import Foundation
import Synchronization
import Testing

@testable import ForageML

/// A stop check that answers yes from its `after`-th call on, and counts its calls.
final class StopAfter: Sendable {
    private let calls = Mutex(0)
    let after: Int

    init(_ after: Int) { self.after = after }

    var count: Int { calls.withLock { $0 } }

    /// Counts one call (used as a report counter).
    func tick() { calls.withLock { $0 += 1 } }

    var check: StopCheck {
        StopCheck { [self] in
            calls.withLock { count in
                count += 1
                return count >= after
            }
        }
    }
}

/// Trainers ask their `StopCheck` inside the training loop — every gbdt round, every MLP epoch and 64
/// mini-batches, every logistic solver step — and end with the model trained so far, saying so in the outcome.
@Suite struct StopCheckTests {
    static func run(_ family: String, _ params: [String: ParameterValue], data: PreparedData, stop: StopCheck, reports: StopAfter? = nil) throws
        -> ModelTrialResult
    {
        try ModelTrialRunner.run(family: family, params: ParameterSet(params), data: data, threads: 1, stop: stop) { _, _ in
            reports?.tick()
            return true
        }
    }

    @Test func gbdtStopsAfterTheRoundTheCheckSaidSo() throws {
        let data = try Support.iris()
        let stop = StopAfter(7)
        // Reports every 1000 rounds: only the check can stop it before round 200.
        let result = try Self.run("gbdt", ["rounds": .int(200), "report_every": .int(1000)], data: data, stop: stop.check)
        #expect(result.stoppedByCheck)
        #expect(!result.stopped)
        #expect(result.steps == 7)
        #expect(stop.count == 7)
        #expect(result.model.header.settings["rounds"] == "7")
        // Three classes: one tree per class and round.
        let model = try Model(file: result.model)
        #expect(model.predict(features: data.test.features).labels.count == data.test.count)
        #expect(try #require(result.metrics["val_accuracy"]) > 0.5)
    }

    @Test func gbdtWithEarlyStoppingKeepsTheBestRoundWhenStopped() throws {
        let data = try Support.iris()
        let result = try Self.run(
            "gbdt", ["rounds": .int(500), "early_stopping_rounds": .int(400), "learning_rate": .double(0.3)], data: data,
            stop: StopAfter(60).check)
        #expect(result.stoppedByCheck)
        #expect(result.steps <= 60)
        #expect(result.model.header.settings["rounds"] == String(result.steps))
    }

    @Test func aCheckThatNeverFiresLetsEveryFamilyRunToItsEnd() throws {
        let data = try Support.iris()
        let gbdt = try Self.run("gbdt", ["rounds": .int(12)], data: data, stop: .never)
        #expect(!gbdt.stoppedByCheck && gbdt.steps == 12)
        let mlp = try Self.run("mlp", ["epochs": .int(4)], data: data, stop: .never)
        #expect(!mlp.stoppedByCheck && mlp.steps == 4)
        #expect(mlp.model.header.settings["epochs"] == "4")
        let logistic = try Self.run("logistic", [:], data: data, stop: .never)
        #expect(!logistic.stoppedByCheck)
    }

    @Test func mlpStopsAtAnEpochEnd() throws {
        let data = try Support.iris()
        let stop = StopAfter(3)
        let reports = StopAfter(Int.max)
        // A batch as big as the training rows: one mini-batch an epoch, so the check is asked only at epoch ends.
        let result = try Self.run("mlp", ["epochs": .int(50), "batch_size": .int(4096)], data: data, stop: stop.check, reports: reports)
        #expect(result.stoppedByCheck)
        #expect(result.steps == 3)
        #expect(reports.count == 3)
        #expect(result.model.header.settings["epochs"] == "3")
    }

    @Test func mlpStopsInsideAnEpochEvery64MiniBatches() throws {
        let data = try Support.iris()
        #expect(data.train.count > MLPTrainer.batchesPerStopCheck)
        let stop = StopAfter(1)
        let reports = StopAfter(Int.max)
        // One row a batch: the 64th mini-batch of the first epoch asks, and the epoch ends there, unreported.
        let result = try Self.run("mlp", ["epochs": .int(50), "batch_size": .int(1)], data: data, stop: stop.check, reports: reports)
        #expect(result.stoppedByCheck)
        #expect(stop.count == 1)
        #expect(reports.count == 0)
        #expect(result.steps == 1)
        _ = try Model(file: result.model)
    }

    @Test func logisticStopsAfterTheSolverStepTheCheckSaidSo() throws {
        let data = try Support.iris()
        let stop = StopAfter(3)
        let result = try Self.run("logistic", ["tol": .double(1e-12), "l2": .double(1e-6)], data: data, stop: stop.check)
        #expect(result.stoppedByCheck)
        #expect(result.steps == 3)
        #expect(stop.count == 3)
        let gd = try Self.run("logistic", ["solver": .string("gd"), "tol": .double(1e-12)], data: data, stop: StopAfter(5).check)
        #expect(gd.stoppedByCheck)
        #expect(gd.steps == 5)
    }

    @Test func ridgeIsOneSolveAndIgnoresTheCheck() throws {
        let data = try Dataset.load(
            DataSpec(path: Support.exampleData("diabetes.csv"), target: "progression", task: .regression, validation: 0.2, test: 0.2, seed: 0))
        let stop = StopAfter(1)
        let result = try Self.run("ridge", [:], data: data, stop: stop.check)
        #expect(!result.stoppedByCheck)
        #expect(stop.count == 0)
    }
}
