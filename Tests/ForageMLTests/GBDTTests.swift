import ForageCore
import Foundation
import Testing

@testable import ForageML

/// Gradient-boosted trees: scores on the shipped data, the model file round trip, missing values, determinism,
/// early stopping and progress reports.
@Suite struct GBDTTests {
    static func load(_ file: String, target: String, task: DataSpec.Task, missing: DataSpec.MissingValues = .error) throws
        -> PreparedData
    {
        try Dataset.load(
            DataSpec(path: Support.exampleData(file), target: target, task: task, validation: 0.2, test: 0.2, seed: 0, missing: missing))
    }

    static func fit(_ data: PreparedData, _ params: [String: ParameterValue] = [:], threads: Int = 1) throws -> ModelTrialResult {
        try ModelTrialRunner.run(family: "gbdt", params: ParameterSet(params), data: data, threads: 1, treeThreads: threads) { _, _ in true }
    }

    @Test func digitsBreastCancerIrisAndDiabetesReachTheirScores() throws {
        let digits = try Self.fit(try Self.load("digits.csv", target: "digit", task: .classification))
        #expect(try #require(digits.metrics["test_accuracy"]) >= 0.95, "\(digits.metrics)")
        let cancer = try Self.fit(try Self.load("breast_cancer.csv", target: "diagnosis", task: .classification))
        #expect(try #require(cancer.metrics["test_accuracy"]) >= 0.93, "\(cancer.metrics)")
        let iris = try Self.fit(try Support.iris())
        #expect(try #require(iris.metrics["test_accuracy"]) >= 0.9, "\(iris.metrics)")
        let diabetes = try Self.fit(
            try Self.load("diabetes.csv", target: "progression", task: .regression),
            ["rounds": .int(60), "learning_rate": .double(0.05), "max_leaves": .int(8)])
        #expect(try #require(diabetes.metrics["test_r2"]) >= 0.35, "\(diabetes.metrics)")
    }

    @Test func saveLoadPredictIsBitIdentical() throws {
        let data = try Self.load("breast_cancer.csv", target: "diagnosis", task: .classification)
        let result = try Self.fit(data, ["rounds": .int(30), "subsample": .double(0.8), "colsample": .double(0.7)])
        let path = try Support.temporaryPath("gbdt.forage")
        try result.model.write(to: path)
        let loaded = try ModelFile.read(from: path)
        #expect(loaded.tensors == result.model.tensors)
        #expect(loaded.header.family == "gbdt")
        #expect(loaded.header.formatVersion == 2)
        let before = try Model(file: result.model).predict(features: data.test.features)
        let after = try Model(contentsOf: path).predict(features: data.test.features)
        #expect(try #require(before.probabilities).storage.map(\.bitPattern) == (try #require(after.probabilities)).storage.map(\.bitPattern))
        let csv = try Model(contentsOf: path).predict(csvAt: Support.exampleData("breast_cancer.csv"))
        #expect(csv.labels.count == 569)
    }

    @Test func aVersionOneModelFileStillLoads() throws {
        let data = try Support.iris()
        let result = try ModelTrialRunner.run(family: "mlp", params: ParameterSet(["epochs": .int(3)]), data: data, threads: 1) { _, _ in true }
        var file = result.model
        file.header.formatVersion = 1
        let decoded = try ModelFile.decode(try file.encoded())
        #expect(decoded.header.encoder.keepsMissing == false)
        let predictions = try Model(file: decoded).predict(features: data.test.features)
        #expect(predictions.labels.count == data.test.count)
    }

    @Test func regressionRoundTripAndMulticlassDeterminism() throws {
        let diabetes = try Self.load("diabetes.csv", target: "progression", task: .regression)
        let result = try Self.fit(diabetes, ["rounds": .int(20)])
        let loaded = try ModelFile.decode(try result.model.encoded())
        let a = try Model(file: result.model).predict(features: diabetes.test.features).values
        let b = try Model(file: loaded).predict(features: diabetes.test.features).values
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        // Same seed, same model, whatever the thread count; another seed, another model.
        let iris = try Support.iris()
        let params: [String: ParameterValue] = ["rounds": .int(15), "subsample": .double(0.7), "colsample": .double(0.5), "seed": .int(3)]
        let one = try Self.fit(iris, params, threads: 1)
        let two = try Self.fit(iris, params, threads: 2)
        #expect(one.model.tensors == two.model.tensors)
        var other = params
        other["seed"] = .int(4)
        #expect(try Self.fit(iris, other).model.tensors != one.model.tensors)
    }

    @Test func missingValuesGoDownALearnedSide() throws {
        // y is 1 exactly where x is missing (plus a weak signal in z): only a default direction can learn it.
        var lines = ["x,z,y"]
        var generator = SplitMix64(seed: 9)
        for i in 0..<600 {
            let missing = i % 3 == 0
            let z = generator.nextUnit()
            lines.append("\(missing ? "" : String(generator.nextUnit())),\(z),\(missing ? 1 : 0)")
        }
        let path = try Support.temporaryFile("missing.csv", contents: lines.joined(separator: "\n") + "\n")
        let spec = DataSpec(path: path, target: "y", task: .classification, missing: .native)
        let data = try Dataset.load(spec)
        #expect(data.train.treeFeatures.storage.contains { $0.isNaN })
        #expect(!data.train.features.storage.contains { $0.isNaN })
        let result = try Self.fit(data, ["rounds": .int(20)])
        #expect(try #require(result.metrics["test_accuracy"]) == 1, "\(result.metrics)")
        #expect(result.model.header.encoder.keepsMissing)
        // Served rows with a missing cell take the learned side, after a save and load.
        let model = try Model(file: try ModelFile.decode(try result.model.encoded()))
        let predictions = try model.predict(rows: [[.missing, .number(0.5)], [.number(0.4), .number(0.5)], [.text("NA"), .number(0.1)]])
        #expect(predictions.labels == ["1", "0", "1"])
        // The other families train on imputed features in the same experiment.
        let logistic = try ModelTrialRunner.run(family: "logistic", params: ParameterSet(), data: data, threads: 1) { _, _ in true }
        #expect(logistic.model.header.encoder.keepsMissing == false)
        #expect(try #require(logistic.metrics["test_accuracy"]) > 0.6)
    }

    @Test func reportsEveryNRoundsAndStopsWhenAsked() throws {
        let data = try Support.iris()
        var steps: [Int] = []
        let result = try ModelTrialRunner.run(
            family: "gbdt", params: ParameterSet(["rounds": .int(50), "report_every": .int(10)]), data: data, threads: 1
        ) { step, metrics in
            #expect(metrics["val_accuracy"] != nil)
            steps.append(step)
            return step < 30
        }
        #expect(steps == [10, 20, 30])
        #expect(result.stopped)
        #expect(result.steps == 30)
    }

    @Test func earlyStoppingKeepsTheBestRound() throws {
        let data = try Self.load("breast_cancer.csv", target: "diagnosis", task: .classification)
        let result = try Self.fit(data, ["rounds": .int(2000), "learning_rate": .double(0.3), "early_stopping_rounds": .int(10)])
        #expect(result.steps < 2000)
        #expect(result.model.header.settings["rounds"] == String(result.steps))
        #expect(!result.stopped)
    }

    @Test func badParametersAreRefusedByName() throws {
        #expect(throws: TrainerError.badParameter(family: "gbdt", name: "max_bins", value: "300", allowed: "an integer from 2 to 255")) {
            _ = try GBDTTrainer(parameters: ParameterSet(["max_bins": .int(300)]), task: .classification)
        }
    }
}
