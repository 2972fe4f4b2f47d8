import ForageCore
import ForageSpec
import Foundation
import Testing

/// `data.evaluation` (auto | holdout | cv) and `data.folds`: defaults, values, and errors naming the file and key path.
@Suite struct EvaluationSpecTests {
    static let directory: String = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("forage-evaluation-spec-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try? "a,b,y\n1,2,x\n3,4,z\n".write(to: url.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        return url.path
    }()

    func parse(data extra: String, scheduler: String = "") throws -> ExperimentSpec {
        try SpecLoader.parse(
            """
            objective: {metric: val_loss, direction: minimize}
            trial: {model: logistic}
            data: {path: d.csv, target: y, task: classification\(extra)}
            search_space:
              l2: {type: float, low: 1.0e-6, high: 0.1, log: true}
            \(scheduler)
            """, file: "spec.yaml", baseDirectory: Self.directory)
    }

    @Test func theDefaultIsAutoWithFiveFolds() throws {
        let data = try #require(try parse(data: "").data)
        #expect(data.evaluation == .auto)
        #expect(data.folds == 5)
    }

    @Test func cvAndFoldsAreRead() throws {
        let data = try #require(try parse(data: ", evaluation: cv, folds: 3").data)
        #expect(data.evaluation == .cv)
        #expect(data.folds == 3)
        #expect(try parse(data: ", evaluation: holdout").data?.evaluation == .holdout)
    }

    @Test(arguments: [
        (", evaluation: kfold", "", "data.evaluation", "'kfold' is not allowed; allowed: auto, holdout, cv"),
        (", folds: 1", "", "data.folds", "must be an integer from 2 to 20, found 1"),
        (", folds: 21", "", "data.folds", "must be an integer from 2 to 20, found 21"),
        (", evaluation: holdout, folds: 4", "", "data.folds", "data.evaluation is holdout"),
        (", evaluation: cv", "scheduler: {algorithm: asha, resource: epoch, min: 1, max: 9, reduction: 3}", "data.evaluation",
         "cv does not work with scheduler 'asha'"),
        (", evaluation: cross", "", "data.evaluation", "allowed: auto, holdout, cv"),
    ])
    func badValuesAreSpecErrorsWithTheKeyPath(extra: String, scheduler: String, keyPath: String, fragment: String) throws {
        let error = #expect(throws: SpecError.self) { try parse(data: extra, scheduler: scheduler) }
        #expect(error?.file == "spec.yaml")
        #expect(error?.keyPath == keyPath, "\(String(describing: error))")
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func anUnknownDataKeyListsEvaluationAndFolds() throws {
        let error = #expect(throws: SpecError.self) { try parse(data: ", fold: 3") }
        #expect(error?.keyPath == "data.fold", "\(String(describing: error))")
        #expect(error?.description.contains("evaluation, folds") == true, "\(String(describing: error))")
    }

    @Test func autoWithASchedulerIsAllowed() throws {
        let spec = try parse(data: "", scheduler: "scheduler: {algorithm: asha, resource: epoch, min: 1, max: 9, reduction: 3}")
        #expect(spec.data?.evaluation == .auto)
    }
}
