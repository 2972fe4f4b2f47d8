import ForageTesting
import Foundation
import Testing

/// End-to-end: `forage run` of a small `model: auto` spec cross-validates its trials (FLAML's rule under
/// `budget.time`, or `data.evaluation: cv`), refits the best configuration on every training + validation row,
/// and picks the same trials and the same best for the same seeds.
@Suite struct CrossValidationRunTests {
    static func data(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/\(name)").path
    }

    private func trials(_ name: String, in directory: URL) throws -> [[String: Any]] {
        let json = try ForageProcess.run(["trials", name, "--format", "json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        return try #require(object["trials"] as? [[String: Any]])
    }

    @Test func aSmallAutoSpecUnderATimeBudgetIsCrossValidatedAndRefitted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.yaml", """
            objective: {metric: val_loss, direction: minimize}
            trial: {model: auto}
            data: {path: \(Self.data("iris.csv")), target: species, task: classification, seed: 0}
            budget: {time: 2s}
            """)
        let run = try ForageProcess.run(["run", "a.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("5-fold cross-validation on the 120 training + validation rows (data.evaluation: auto)"), "\(run.stderr)")
        let all = try trials("a", in: directory.url)
        let completed = all.filter { $0["state"] as? String == "completed" }
        #expect(!completed.isEmpty)
        for trial in completed {
            let metrics = trial["metrics"] as? [String: Any] ?? [:]
            let folds = metrics["cv_folds"] as? Double ?? 0
            // Five folds, or fewer for a trial the deadline cut (it says so).
            #expect(folds == 5 || (folds >= 1 && metrics["stopped_at_deadline"] as? Double == 1), "\(metrics)")
        }
        #expect(run.stdout.contains("on 120 rows"), "\(run.stdout)")
        let refit = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.url.appendingPathComponent(".forage/trials/a/refit/refit.json"))) as? [String: Any])
        #expect(refit["trainRows"] as? Int == 120)
        let test = (refit["metrics"] as? [String: Any])?["test_accuracy"] as? Double ?? 0
        #expect(test > 0.85, "\(refit)")
    }

    @Test func crossValidatedSelectionIsTheSameForTheSameSeeds() throws {
        func search() throws -> (params: [String], values: [Double], best: Int?) {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try directory.write("b.yaml", """
                objective: {metric: val_loss, direction: minimize}
                trial: {model: auto}
                data: {path: \(Self.data("breast_cancer.csv")), target: diagnosis, task: classification, seed: 3, evaluation: cv, folds: 3}
                searcher: {algorithm: cfo, seed: 5}
                budget: {trials: 6, parallel: 1}
                """)
            let run = try ForageProcess.run(["run", "b.yaml"], in: directory.url)
            #expect(run.status == 0, "\(run.stderr)")
            let all = try trials("b", in: directory.url)
            let status = try ForageProcess.run(["status", "b", "--format", "json"], in: directory.url)
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            let best = (object?["best"] as? [String: Any])?["number"] as? Int
            for trial in all {
                #expect((trial["metrics"] as? [String: Any])?["cv_folds"] as? Double == 3, "\(trial)")
            }
            return (
                all.map { "\(($0["params"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })" },
                all.compactMap { $0["value"] as? Double }, best)
        }
        let first = try search()
        let second = try search()
        #expect(first.params.count == 6)
        #expect(first.params == second.params)
        #expect(first.values == second.values)
        #expect(first.best != nil && first.best == second.best)
    }
}
