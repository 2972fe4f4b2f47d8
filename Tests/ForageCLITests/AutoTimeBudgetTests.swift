import ForageTesting
import Foundation
import Testing

/// End-to-end: `model: auto` with no search space and no searcher searches the built-in space (logistic, gbdt,
/// MLP) cost-frugally within `budget.time`; with `data.test: 0` no test metrics are recorded, and `forage predict
/// --score` scores a separate file.
@Suite struct AutoTimeBudgetTests {
    static var iris: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/iris.csv").path
    }

    @Test func autoWithATimeBudgetTriesEveryFamilyAndPredictScoresAKeptApartFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: auto}
            data: {path: \(Self.iris), target: species, task: classification, validation: 0.25, test: 0, seed: 0}
            budget: {time: 3s}
            """)
        let run = try ForageProcess.run(["run", "a.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try ForageProcess.run(["trials", "a", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let trials = try #require(object["trials"] as? [[String: Any]])
        let params = trials.compactMap { $0["params"] as? [String: Any] }
        // The cheap start points come first, in the space's order: logistic, then gbdt at 4 rounds and 4 leaves, then mlp.
        #expect(params.prefix(3).map { $0["model"] as? String } == ["logistic", "gbdt", "mlp"], "\(params.prefix(3))")
        #expect(params.count > 1 ? params[1]["rounds"] as? Int == 4 && params[1]["max_leaves"] as? Int == 4 : false, "\(params.prefix(2))")
        #expect(trials.count > 3, "\(trials.count) trials in 3 s")
        // No test rows: no test metric anywhere.
        for trial in trials {
            let metrics = trial["metrics"] as? [String: Any] ?? [:]
            #expect(!metrics.keys.contains { $0.hasPrefix("test_") }, "\(metrics.keys.sorted())")
        }
        let status = try ForageProcess.run(["status", "a", "--format", "json"], in: directory.url)
        #expect(status.stdout.contains("\"finished\""), "\(status.stdout)")

        // The refit model scores a file kept apart (here the whole of iris, target column included).
        let scored = try ForageProcess.run(
            ["predict", ".forage/trials/a/refit/model.forage", "--input", Self.iris, "--score", "--output", "p.csv"], in: directory.url)
        #expect(scored.status == 0, "\(scored.stderr)")
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Double])
        #expect(metrics["rows"] == 150)
        #expect((metrics["accuracy"] ?? 0) > 0.9, "\(metrics)")
        let written = try String(contentsOf: directory.url.appendingPathComponent("p.csv"), encoding: .utf8)
        #expect(written.split(separator: "\n").count == 151)

        // A file without the target column cannot be scored, and says why.
        try directory.write("x.csv", "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n")
        let unscored = try ForageProcess.run(["predict", "a/0", "--input", "x.csv", "--score"], in: directory.url)
        #expect(unscored.status != 0)
        #expect(unscored.stderr.contains("no target column 'species' to score against"), "\(unscored.stderr)")
    }
}
