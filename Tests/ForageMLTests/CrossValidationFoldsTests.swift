import ForageCore
import Foundation
import Testing

@testable import ForageML

/// The folds of cross-validation: a partition of the training + validation rows (test rows untouched), stratified,
/// the same for the same data seed; and a cross-validated run that is deterministic for a seed.
@Suite struct CrossValidationFoldsTests {
    static func breastCancer(seed: UInt64 = 0) throws -> PreparedData {
        try Dataset.load(DataSpec(path: Support.exampleData("breast_cancer.csv"), target: "diagnosis", task: .classification, seed: seed))
    }

    @Test func theFoldsPartitionTrainingAndValidationRowsAndLeaveTheTestRows() throws {
        let data = try Self.breastCancer()
        let folds = try CrossValidationFolds(data: data, count: 5)
        let all = Set(data.train.rowNumbers + data.validation.rowNumbers)
        #expect(folds.rows == all.count)
        var held: [Int] = []
        for fold in folds.folds {
            #expect(Set(fold.train.rowNumbers).isDisjoint(with: fold.validation.rowNumbers))
            #expect(Set(fold.train.rowNumbers + fold.validation.rowNumbers) == all)
            #expect(fold.test.rowNumbers == data.test.rowNumbers)
            held += fold.validation.rowNumbers
        }
        #expect(held.count == all.count && Set(held) == all)
        let sizes = folds.folds.map(\.validation.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "\(sizes)")
        // Stratified: each fold holds each class within a row of its share.
        for c in 0..<data.classCount {
            let total = Double((data.train.classes + data.validation.classes).filter { $0 == c }.count)
            for fold in folds.folds {
                let count = Double(fold.validation.classes.filter { $0 == c }.count)
                #expect(abs(count - total / 5) <= 1, "class \(c): \(count) of \(total)")
            }
        }
        #expect(abs(folds.meanTrainRows - Double(all.count) * 4 / 5) < 1)
    }

    @Test func theSameSeedGivesTheSameFoldsAndAnotherSeedOthers() throws {
        let a = try CrossValidationFolds(data: Self.breastCancer(), count: 5).folds.map(\.validation.rowNumbers)
        let b = try CrossValidationFolds(data: Self.breastCancer(), count: 5).folds.map(\.validation.rowNumbers)
        let c = try CrossValidationFolds(data: Self.breastCancer(seed: 7), count: 5).folds.map(\.validation.rowNumbers)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func tooFewRowsForTheFoldsIsADatasetError() throws {
        let data = try Self.breastCancer()
        #expect(throws: DatasetError.self) { try CrossValidationFolds(data: data, count: data.train.count + data.validation.count + 1) }
    }

    @Test func aCrossValidatedRunIsDeterministicAndScoresEveryFold() throws {
        let folds = try CrossValidationFolds(data: Self.breastCancer(), count: 5)
        func run(_ family: String, _ params: ParameterSet) throws -> ModelTrialResult {
            try CrossValidatedRunner.run(family: family, params: params, folds: folds, threads: 1) { _, _ in true }
        }
        let gbdt = ParameterSet(["rounds": .int(20), "max_leaves": .int(8), "subsample": .double(0.8)])
        let first = try run("gbdt", gbdt)
        let second = try run("gbdt", gbdt)
        #expect(first.metrics == second.metrics)
        #expect(first.metrics["cv_folds"] == 5)
        #expect(first.metrics["cv_steps"] == 20)
        #expect((first.metrics["val_accuracy"] ?? 0) > 0.9, "\(first.metrics)")
        // The selection between two configurations is the same every time.
        let logistic = try run("logistic", ParameterSet(["l2": .double(1e-3)]))
        let again = try run("logistic", ParameterSet(["l2": .double(1e-3)]))
        #expect(logistic.metrics["val_loss"] == again.metrics["val_loss"])
        #expect(try #require(logistic.metrics["val_loss"]) != first.metrics["val_loss"])
    }
}
