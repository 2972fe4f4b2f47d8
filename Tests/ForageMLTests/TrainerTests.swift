import ForageCore
import Foundation
import Testing

@testable import ForageML

@Suite struct TrainerTests {
    /// y = 3·x0 − 2·x1 + 0.5·x2 + 7 + small noise.
    static func linearData() throws -> PreparedData {
        var generator = SplitMix64(seed: 11)
        var rows: [[Double]] = []
        var targets: [String] = []
        for _ in 0..<400 {
            let x = (0..<3).map { _ in generator.nextGaussian() }
            rows.append(x)
            targets.append(String(3 * x[0] - 2 * x[1] + 0.5 * x[2] + 7 + 0.01 * generator.nextGaussian()))
        }
        let features = try #require(Matrix<Double>(rowArrays: rows))
        return try Dataset.prepare(
            features: features, featureNames: ["x0", "x1", "x2"], targets: targets,
            spec: DataSpec(path: "mem", target: "y", task: .regression, seed: 1))
    }

    /// Two Gaussian blobs, linearly separable.
    static func blobs() throws -> PreparedData {
        var generator = SplitMix64(seed: 5)
        var rows: [[Double]] = []
        var labels: [String] = []
        for i in 0..<300 {
            let positive = i % 2 == 0
            rows.append([generator.nextGaussian() + (positive ? 3 : -3), generator.nextGaussian()])
            labels.append(positive ? "yes" : "no")
        }
        return try Dataset.prepare(
            features: try #require(Matrix<Double>(rowArrays: rows)), featureNames: ["a", "b"], targets: labels,
            spec: DataSpec(path: "mem", target: "label", task: .classification, seed: 2))
    }

    @Test func ridgeRecoversCoefficients() throws {
        let data = try Self.linearData()
        let result = try ModelTrialRunner.run(
            family: "ridge", params: ParameterSet(["alpha": .double(1e-6)]), data: data, threads: 1) { _, _ in true }
        let coef = try #require(result.model.tensor("coef")?.doubleMatrix)
        // Coefficients are on standardised features: undo the scale.
        let scales = data.encoder.scales
        let raw = (0..<3).map { coef[$0, 0] / scales[$0] }
        #expect(abs(raw[0] - 3) < 0.01 && abs(raw[1] + 2) < 0.01 && abs(raw[2] - 0.5) < 0.01)
        #expect((result.metrics["val_r2"] ?? 0) > 0.999)
        #expect(result.metrics["test_rmse"] != nil)
    }

    @Test func ridgeRefusesClassificationAndNegativeAlpha() throws {
        let data = try Self.linearData()
        #expect(throws: TrainerError.self) {
            try ModelTrialRunner.run(family: "ridge", params: ParameterSet(["alpha": .double(-1)]), data: data, threads: 1) { _, _ in true }
        }
        let iris = try Support.iris()
        #expect(throws: TrainerError.familyNotForTask(family: "ridge", task: .classification)) {
            try ModelTrialRunner.run(family: "ridge", params: ParameterSet(), data: iris, threads: 1) { _, _ in true }
        }
        #expect(throws: TrainerError.self) {
            try ModelTrialRunner.run(family: "forest", params: ParameterSet(), data: iris, threads: 1) { _, _ in true }
        }
    }

    @Test(arguments: ["lbfgs", "gd"])
    func logisticSeparatesBlobs(solver: String) throws {
        let data = try Self.blobs()
        let result = try ModelTrialRunner.run(
            family: "logistic", params: ParameterSet(["solver": .string(solver)]), data: data, threads: 1) { _, _ in true }
        #expect((result.metrics["val_accuracy"] ?? 0) > 0.9)
        #expect((result.metrics["val_roc_auc"] ?? 0) > 0.95)
    }

    @Test func logisticOnIris() throws {
        let result = try ModelTrialRunner.run(family: "logistic", params: ParameterSet(), data: try Support.iris(), threads: 1) { _, _ in true }
        #expect((result.metrics["val_accuracy"] ?? 0) > 0.9)
        #expect((result.metrics["test_accuracy"] ?? 0) > 0.9)
    }

    @Test func mlpLearnsIrisAndReportsEveryEpoch() throws {
        var steps: [Int] = []
        let params = ParameterSet(["hidden": .int(16), "epochs": .int(60), "lr": .double(0.01), "batch_size": .int(16)])
        let result = try ModelTrialRunner.run(family: "mlp", params: params, data: try Support.iris(), threads: 1) { step, metrics in
            steps.append(step)
            #expect(metrics["val_accuracy"] != nil && metrics["val_loss"] != nil && metrics["train_loss"] != nil)
            return true
        }
        #expect(steps == Array(1...60))
        #expect(!result.stopped)
        #expect((result.metrics["val_accuracy"] ?? 0) > 0.9)
    }

    @Test func mlpStopsWhenTold() throws {
        var calls = 0
        let result = try ModelTrialRunner.run(
            family: "mlp", params: ParameterSet(["epochs": .int(500)]), data: try Support.iris(), threads: 1
        ) { step, _ in
            calls += 1
            return step < 3
        }
        #expect(calls == 3)
        #expect(result.stopped && result.steps == 3)
    }

    @Test func mlpRegressionAndTanh() throws {
        let params = ParameterSet(["layers": .int(2), "hidden": .int(16), "activation": .string("tanh"), "epochs": .int(80), "lr": .double(0.01), "batch_size": .int(32)])
        let result = try ModelTrialRunner.run(family: "mlp", params: params, data: try Self.linearData(), threads: 1) { _, _ in true }
        #expect((result.metrics["val_r2"] ?? 0) > 0.98)
    }

    @Test func autoTakesFamilyFromModelParameter() throws {
        let iris = try Support.iris()
        let result = try ModelTrialRunner.run(
            family: "auto", params: ParameterSet(["model": .string("logistic"), "l2": .double(0.01)]), data: iris, threads: 1
        ) { _, _ in true }
        #expect(result.family == "logistic")
        #expect(throws: TrainerError.missingModelParameter) {
            try ModelTrialRunner.run(family: "auto", params: ParameterSet(), data: iris, threads: 1) { _, _ in true }
        }
        #expect(throws: TrainerError.familyNotForTask(family: "ridge", task: .classification)) {
            try ModelTrialRunner.run(family: "auto", params: ParameterSet(["model": .string("ridge")]), data: iris, threads: 1) { _, _ in true }
        }
    }

    @Test func badParametersAreTypedErrors() {
        #expect(throws: TrainerError.self) { try MLPTrainer(parameters: ParameterSet(["layers": .int(4)]), task: .classification) }
        #expect(throws: TrainerError.self) { try MLPTrainer(parameters: ParameterSet(["activation": .string("gelu")]), task: .classification) }
        #expect(throws: TrainerError.self) { try LogisticTrainer(parameters: ParameterSet(["lr": .double(0)]), task: .classification) }
        #expect(throws: TrainerError.self) { try LogisticTrainer(parameters: ParameterSet(), task: .regression) }
    }
}
