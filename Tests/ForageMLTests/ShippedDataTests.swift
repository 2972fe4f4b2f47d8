import ForageCore
import Foundation
import Testing

@testable import ForageML

/// Each family trained on a shipped dataset (20% test split) reaches the accuracy the README promises.
@Suite struct ShippedDataTests {
    static func digits() throws -> PreparedData {
        try Dataset.load(DataSpec(path: Support.exampleData("digits.csv"), target: "digit", task: .classification, validation: 0.2, test: 0.2, seed: 0))
    }

    @Test func logisticOnDigitsReaches95Percent() throws {
        let result = try ModelTrialRunner.run(
            family: "logistic", params: ParameterSet(["l2": .double(1e-3)]), data: try Self.digits(), threads: 1) { _, _ in true }
        #expect(try #require(result.metrics["test_accuracy"]) >= 0.95)
    }

    @Test func mlpOnDigitsReaches97Percent() throws {
        let params = ParameterSet(["hidden": .int(163), "lr": .double(3e-3), "l2": .double(1e-6), "batch_size": .int(32), "epochs": .int(30)])
        let result = try ModelTrialRunner.run(family: "mlp", params: params, data: try Self.digits(), threads: 1) { _, _ in true }
        #expect(try #require(result.metrics["test_accuracy"]) >= 0.97, "\(result.metrics)")
    }

    @Test func ridgeOnDiabetesExplains40PercentOfTheVariance() throws {
        let data = try Dataset.load(
            DataSpec(path: Support.exampleData("diabetes.csv"), target: "progression", task: .regression, validation: 0.2, test: 0.2, seed: 0))
        let result = try ModelTrialRunner.run(family: "ridge", params: ParameterSet(["alpha": .double(1)]), data: data, threads: 1) { _, _ in true }
        #expect(try #require(result.metrics["test_r2"]) >= 0.40)
    }
}
