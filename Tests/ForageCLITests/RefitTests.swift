import ForageTesting
import Foundation
import Testing

/// End-to-end: a model search ends with a refit on training + validation rows, recorded as its own entry; promote
/// takes the refit model and its lineage says so; `forage refit --trial N` refits on demand; `refit: false` skips it.
@Suite struct RefitTests {
    static let spec = """
        objective: {metric: val_accuracy, direction: maximize}
        trial: {model: gbdt}
        data: {path: ../../Experiments/data/iris.csv, target: species, task: classification, seed: 0}
        search_space:
          learning_rate: {type: float, low: 0.05, high: 0.3, log: true}
          rounds: {type: categorical, choices: [200]}
          early_stopping_rounds: {type: categorical, choices: [10]}
        searcher: {algorithm: random, seed: 1}
        budget: {trials: 3, parallel: 1}
        promote: {model: iris, alias: staging}
        """

    @Test func theSearchEndsWithARefitThatPromoteTakes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/iris.csv").path
        try directory.write("r.yaml", Self.spec.replacingOccurrences(of: "../../Experiments/data/iris.csv", with: data))
        let run = try ForageProcess.run(["run", "r.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("refit trial"), "\(run.stdout)")
        #expect(run.stdout.contains("on 120 rows"), "\(run.stdout)")
        let entry = directory.url.appendingPathComponent(".forage/trials/r/refit")
        let json = try Data(contentsOf: entry.appendingPathComponent("refit.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let metrics = try #require(record["metrics"] as? [String: Double])
        #expect(metrics["test_accuracy"] != nil && metrics["val_accuracy"] == nil)
        let params = try #require(record["params"] as? [String: String])
        #expect(params["early_stopping_rounds"] == "0")
        #expect(FileManager.default.fileExists(atPath: entry.appendingPathComponent("model.forage").path))

        let show = try ForageProcess.run(["models", "show", "iris", "--format", "json"], in: directory.url)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("refit_train_rows"), "\(show.stdout)")
        let history = try ForageProcess.run(["models", "history", "iris"], in: directory.url)
        #expect(history.stdout.contains("refit on training + validation rows"), "\(history.stdout)")

        let again = try ForageProcess.run(["refit", "r", "--trial", "1"], in: directory.url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("refit trial 1 on 120 rows"), "\(again.stdout)")
        let missing = try ForageProcess.run(["refit", "r", "--trial", "99"], in: directory.url)
        #expect(missing.status != 0 && missing.stderr.hasPrefix("error: "), "\(missing.stderr)")
    }

    @Test func refitFalseSkipsItAndNeedsAModelTrial() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/iris.csv").path
        try directory.write(
            "n.yaml", Self.spec.replacingOccurrences(of: "../../Experiments/data/iris.csv", with: data).replacingOccurrences(of: "promote: {model: iris, alias: staging}", with: "refit: false"))
        let run = try ForageProcess.run(["run", "n.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("refit trial"))
        try directory.write("f.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere}
            search_space: {x0: {type: float, low: -1, high: 1}}
            budget: {trials: 2}
            refit: true
            """)
        let refused = try ForageProcess.run(["run", "f.yaml"], in: directory.url)
        #expect(refused.status != 0 && refused.stderr.contains("refit"), "\(refused.stderr)")
    }
}
