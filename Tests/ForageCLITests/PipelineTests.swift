import ForageTesting
import Foundation
import Testing

/// End-to-end `forage pipeline`: the first data version has no champion and is promoted; a second, better version
/// (a feature that carried no signal now does) beats the champion on its own test split and is promoted; a third,
/// worse version (few, noisy rows) does not, so the champion is kept with exit status 3; the verdicts are JSON
/// alone on stdout; running it again resumes the finished experiment and keeps the same verdict. With refit on (the
/// default) the candidate is the best trial refitted on training + validation rows.
@Suite(.serialized) struct PipelineTests {
    /// A binary table: `signal` and `extra` decide the label; without `informative`, `extra` is noise; `flip` is
    /// the share of labels flipped at random.
    static func table(rows: Int, informative: Bool, flip: Double, seed: UInt64) -> String {
        var state = seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var lines = ["signal,extra,other,label"]
        for _ in 0..<rows {
            let signal = uniform() * 2 - 1, extra = uniform() * 2 - 1, other = uniform()
            var positive = signal + (informative ? 1.5 * extra : 0) + 0.2 * (uniform() - 0.5) > 0
            if uniform() < flip { positive.toggle() }
            lines.append(String(format: "%.4f,%.4f,%.4f,%@", signal, extra, other, positive ? "yes" : "no"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let spec = """
        name: churn
        objective: {metric: val_accuracy, direction: maximize}
        trial: {model: logistic}
        data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 4}
        search_space: {l2: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}}
        searcher: {algorithm: random, seed: 1}
        budget: {trials: 2, parallel: 1}
        promote: {model: churn, alias: production}
        """

    static func verdict(_ output: ForageProcess.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "stdout is not one JSON verdict: \(output.stdout)")
    }

    @Test func betterDataIsPromotedWorseDataKeepsTheChampion() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("p.yaml", Self.spec)
        let pipeline = ["pipeline", "p.yaml", "--format", "json"]

        // Version 1: nothing holds @production yet.
        try directory.write("data.csv", Self.table(rows: 1_500, informative: false, flip: 0, seed: 1))
        let first = try ForageProcess.run(pipeline, in: directory.url)
        #expect(first.status == 0, "\(first.stderr)")
        let v1 = try Self.verdict(first)
        #expect(v1["verdict"] as? String == "promoted" && v1["promoted_version"] as? Int == 1 && v1["champion"] is NSNull)
        #expect((v1["experiment"] as? String ?? "").hasPrefix("churn-"))
        // Refit is on by default: the candidate measured and promoted is the best trial refitted on training +
        // validation rows (1 200 of the 1 500), whose own test metric is the verdict's value.
        let refit1 = try #require(v1["refit"] as? [String: Any])
        let candidate1 = try #require(v1["candidate"] as? [String: Any])
        #expect(refit1["status"] as? String == "refitted" && refit1["train_rows"] as? Int == 1_200 && refit1["reused"] as? Bool == false)
        #expect(refit1["trial"] as? Int == candidate1["trial"] as? Int)
        let entryFolder = directory.url.appendingPathComponent(".forage/trials/\(v1["experiment"] as? String ?? "")/refit")
        let entry = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: entryFolder.appendingPathComponent("refit.json"))) as? [String: Any])
        let entryMetrics = try #require(entry["metrics"] as? [String: Double])
        #expect(abs((entryMetrics["test_accuracy"] ?? -1) - (candidate1["value"] as? Double ?? -2)) < 1e-5, "\(entry)")
        #expect(refit1["model_file"] as? String == entryFolder.appendingPathComponent("model.forage").path)
        let history1 = try ForageProcess.run(["models", "history", "churn"], in: directory.url)
        #expect(history1.stdout.contains("refit on training + validation rows"), "\(history1.stdout)")

        // Version 2, better: `extra` now carries signal; the champion cannot use it.
        try directory.write("data.csv", Self.table(rows: 1_500, informative: true, flip: 0, seed: 2))
        let second = try ForageProcess.run(pipeline, in: directory.url)
        #expect(second.status == 0, "\(second.stderr)")
        let v2 = try Self.verdict(second)
        let champion2 = try #require(v2["champion"] as? [String: Any])
        let candidate2 = try #require(v2["candidate"] as? [String: Any])
        #expect(v2["verdict"] as? String == "promoted" && v2["promoted_version"] as? Int == 2 && champion2["version"] as? Int == 1)
        #expect((candidate2["value"] as? Double ?? 0) > (champion2["value"] as? Double ?? 1))
        #expect(v2["metric"] as? String == "test_accuracy" && (v2["data"] as? [String: Any])?["test_rows"] as? Int == 300)

        // Version 3, worse: a few rows with a third of the labels flipped; the champion stays, exit 3.
        try directory.write("data.csv", Self.table(rows: 150, informative: true, flip: 0.33, seed: 3))
        let third = try ForageProcess.run(pipeline, in: directory.url)
        #expect(third.status == 3, "\(third.status): \(third.stderr)")
        let v3 = try Self.verdict(third)
        #expect(v3["verdict"] as? String == "kept" && v3["promoted_version"] is NSNull)
        #expect((v3["champion"] as? [String: Any])?["version"] as? Int == 2)
        let show = try ForageProcess.run(["models", "show", "churn", "--format", "json"], in: directory.url)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((shown["versions"] as? [Any])?.count == 2, "\(show.stdout)")

        // Again on the same data: the finished experiment is resumed (nothing re-runs) and the verdict is the same.
        let again = try ForageProcess.run(pipeline, in: directory.url)
        #expect(again.status == 3 && again.stderr.contains("resuming"), "\(again.status): \(again.stderr)")
        let v4 = try Self.verdict(again)
        #expect(v4["verdict"] as? String == "kept" && (v4["refit"] as? [String: Any])?["reused"] as? Bool == true)
        #expect((v4["candidate"] as? [String: Any])?["value"] as? Double == (v3["candidate"] as? [String: Any])?["value"] as? Double)

        // A spec without a promote alias is refused (exit 1) with a message.
        try directory.write("bad.yaml", Self.spec.replacingOccurrences(of: "promote: {model: churn, alias: production}", with: ""))
        let bad = try ForageProcess.run(["pipeline", "bad.yaml"], in: directory.url)
        #expect(bad.status == 1 && bad.stderr.contains("needs a promote block"), "\(bad.status): \(bad.stderr)")
    }

    /// With `refit: false` the trial's own model is measured and promoted, and the verdict says refit is off.
    @Test func refitOffPromotesTheTrialsOwnModel() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("p.yaml", Self.spec + "\nrefit: false\n")
        try directory.write("data.csv", Self.table(rows: 600, informative: true, flip: 0, seed: 5))
        let run = try ForageProcess.run(["pipeline", "p.yaml", "--format", "json"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let verdict = try Self.verdict(run)
        #expect(verdict["verdict"] as? String == "promoted" && (verdict["refit"] as? [String: Any])?["status"] as? String == "off")
        let experiment = try #require(verdict["experiment"] as? String)
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage/trials/\(experiment)/refit").path))
        let history = try ForageProcess.run(["models", "history", "churn"], in: directory.url)
        #expect(history.status == 0 && !history.stdout.contains("refit on"), "\(history.stdout)")
    }

    /// The shipped example the GitHub Actions workflow runs: promoted on a fresh store, kept (exit 3) on a second run.
    @Test func theShippedWorkflowSpecPromotesThenKeeps() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("Experiments/data"), withIntermediateDirectories: true)
        for file in ["Experiments/iris-pipeline.yaml", "Experiments/data/iris.csv"] {
            try FileManager.default.copyItem(at: root.appendingPathComponent(file), to: directory.url.appendingPathComponent(file))
        }
        let arguments = ["pipeline", "Experiments/iris-pipeline.yaml", "--store", ".forage-ci", "--format", "json"]
        let first = try ForageProcess.run(arguments, in: directory.url)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Self.verdict(first)["verdict"] as? String == "promoted")
        let second = try ForageProcess.run(arguments, in: directory.url)
        #expect(second.status == 3, "\(second.stderr)")
        #expect(try Self.verdict(second)["verdict"] as? String == "kept")
    }
}
