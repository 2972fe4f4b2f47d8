import ForageCore
import ForageExecutor
import ForageML
import Foundation
import Synchronization
import Testing

/// Cross-validated model trials: which evaluation `data.evaluation: auto` picks, a trial that reports once with the
/// mean over its folds, the deadline rule across folds, and a refit that takes the folds' mean rounds.
@Suite struct CrossValidationExecutorTests {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/\(name)").path
    }

    static func spec(
        family: String = "auto", evaluation: DataSpec.Evaluation = .auto, folds: Int = 5, time: Double? = nil, scheduler: String = "none"
    ) -> ExperimentSpec {
        var data = DataSpec(path: path("breast_cancer.csv"), target: "diagnosis", task: .classification, seed: 0)
        data.evaluation = evaluation
        data.folds = folds
        return ExperimentSpec(
            name: "cv", objective: Objective(metric: "val_loss", direction: .minimize), trial: TrialSpec(kind: .model(family: family)),
            data: data, searchSpace: SearchSpace([]), scheduler: SchedulerSpec(algorithm: scheduler), budget: Budget(time: time))
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("forage-cv-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func invocation(_ params: ParameterSet, in directory: URL, deadline: TrialDeadline? = nil) -> TrialInvocation {
        var invocation = TrialInvocation(
            experiment: "e", number: 0, attempt: 0, params: params, spec: TrialSpec(kind: .model(family: "gbdt")),
            objective: Objective(metric: "val_loss", direction: .minimize), declaredParameters: [], trialsDirectory: directory,
            workingDirectory: directory)
        invocation.deadline = deadline
        return invocation
    }

    @Test func autoFollowsFlamlsRule() {
        // 455 rows x 30 features = 13 650 cells: under 2 500 x 10 s, so cross-validated at 10 s; not at 5 s.
        #expect(ModelEvaluation.resolve(Self.spec(time: 10), rows: 455, features: 30) == .crossValidation(folds: 5))
        #expect(ModelEvaluation.resolve(Self.spec(time: 5), rows: 455, features: 30) == .holdout)
        // digits (1 437 x 64): holdout at 10 s, cross-validated at 60 s, as FLAML decides.
        #expect(ModelEvaluation.resolve(Self.spec(time: 10), rows: 1437, features: 64) == .holdout)
        #expect(ModelEvaluation.resolve(Self.spec(time: 60), rows: 1437, features: 64) == .crossValidation(folds: 5))
        // 100 000 rows or more: holdout whatever the budget.
        #expect(ModelEvaluation.resolve(Self.spec(time: 1e9), rows: 100_000, features: 1) == .holdout)
        // No budget.time, or a pruning scheduler: holdout.
        #expect(ModelEvaluation.resolve(Self.spec(), rows: 100, features: 2) == .holdout)
        #expect(ModelEvaluation.resolve(Self.spec(time: 60, scheduler: "asha"), rows: 100, features: 2) == .holdout)
        // Explicit choices win.
        #expect(ModelEvaluation.resolve(Self.spec(evaluation: .cv, folds: 3), rows: 90_000_000, features: 50) == .crossValidation(folds: 3))
        #expect(ModelEvaluation.resolve(Self.spec(evaluation: .holdout, time: 60), rows: 100, features: 2) == .holdout)
    }

    @Test func theFactoryBuildsFoldsWhenTheSpecAsksForThem() throws {
        let (executor, data) = try ExecutorFactory.make(for: Self.spec(family: "logistic", evaluation: .cv, folds: 4), supervisor: nil)
        let model = try #require(executor as? ModelExecutor)
        let folds = try #require(model.folds)
        #expect(folds.count == 4)
        #expect(folds.rows == (data?.train.count ?? 0) + (data?.validation.count ?? 0))
        let (holdout, _) = try ExecutorFactory.make(for: Self.spec(family: "logistic"), supervisor: nil)
        #expect((holdout as? ModelExecutor)?.folds == nil)
    }

    @Test func aCrossValidatedTrialReportsOnceWithTheMeanOfItsFolds() async throws {
        let (executor, _) = try ExecutorFactory.make(for: Self.spec(family: "gbdt", evaluation: .cv, folds: 3), supervisor: nil)
        let model = try #require(executor as? ModelExecutor)
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reports = Mutex<[Int]>([])
        let reporter = TrialReporter(judges: false, submit: { step, _ in reports.withLock { $0.append(step) } }, judge: { _, _ in .continue })
        let params = ParameterSet(["rounds": .int(30), "max_leaves": .int(8), "report_every": .int(5)])
        let outcome = await model.run(Self.invocation(params, in: directory), reporter: reporter)
        guard case .completed(let metrics) = outcome else {
            Issue.record("expected a completed trial, got \(outcome)")
            return
        }
        #expect(metrics["cv_folds"] == 3)
        #expect(metrics["cv_steps"] == 30)
        #expect(reports.withLock { $0 } == [30])
        // val_loss is the mean of the three folds' validation losses, each trained on the other two.
        let folds = try #require(model.folds)
        var losses: [Double] = []
        for fold in folds.folds {
            let result = try ModelTrialRunner.run(family: "gbdt", params: params, data: fold, threads: 1) { _, _ in true }
            losses.append(try #require(result.metrics["val_loss"]))
        }
        let mean = losses.reduce(0, +) / 3
        #expect(abs((metrics["val_loss"] ?? 0) - mean) < 1e-12, "\(metrics["val_loss"] ?? 0) vs \(mean)")
        let file = try ModelFile.read(from: directory.appendingPathComponent("0/model.forage").path)
        #expect(file.header.metrics["cv_folds"] == 3)
    }

    @Test func pastTheDeadlineNoFurtherFoldStartsAndTheTrialSaysSo() async throws {
        let (executor, _) = try ExecutorFactory.make(for: Self.spec(family: "gbdt", evaluation: .cv), supervisor: nil)
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reporter = TrialReporter(judges: false, submit: { _, _ in }, judge: { _, _ in .continue })
        let params = ParameterSet(["rounds": .int(100_000), "learning_rate": .double(0.001), "report_every": .int(100_000)])
        let outcome = await executor.run(
            Self.invocation(params, in: directory, deadline: TrialDeadline(ContinuousClock.now - .seconds(1))), reporter: reporter)
        guard case .completed(let metrics) = outcome else {
            Issue.record("expected a completed trial, got \(outcome)")
            return
        }
        #expect(metrics["cv_folds"] == 1)
        #expect(metrics["cv_steps"] == 1)
        #expect(metrics["stopped_at_deadline"] == 1)
    }

    @Test func aRefitAfterCrossValidationTakesTheFoldsMeanRoundsScaledToAllRows() async throws {
        let spec = Self.spec(family: "gbdt", evaluation: .cv, folds: 4)
        let (executor, prepared) = try ExecutorFactory.make(for: spec, supervisor: nil)
        let data = try #require(prepared)
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reporter = TrialReporter(judges: false, submit: { _, _ in }, judge: { _, _ in .continue })
        let params = ParameterSet([
            "rounds": .int(400), "learning_rate": .double(0.3), "early_stopping_rounds": .int(5), "max_leaves": .int(8),
        ])
        let outcome = await executor.run(Self.invocation(params, in: directory), reporter: reporter)
        guard case .completed(let metrics) = outcome else {
            Issue.record("expected a completed trial, got \(outcome)")
            return
        }
        let meanRounds = try #require(metrics["cv_steps"])
        let foldRows = try #require(metrics["cv_train_rows"])
        #expect(meanRounds < 400, "early stopping should have ended the folds: \(meanRounds)")
        let all = data.train.count + data.validation.count
        #expect(abs(foldRows - Double(all) * 3 / 4) < 1)
        let (result, planned) = try ModelRefitter.refit(
            spec: spec, params: params, lastStep: nil, trialModel: directory.appendingPathComponent("0/model.forage").path, data: data)
        let expected = Int((Double(Int(meanRounds.rounded())) * Double(all) / Double(Int(foldRows.rounded()))).rounded())
        #expect(planned["rounds"] == .int(expected), "\(planned)")
        #expect(planned["early_stopping_rounds"] == .int(0))
        #expect(result.metrics["refit_train_rows"] == Double(all))
        #expect(result.steps == expected)
        #expect((result.metrics["test_accuracy"] ?? 0) > 0.9, "\(result.metrics)")
    }
}
