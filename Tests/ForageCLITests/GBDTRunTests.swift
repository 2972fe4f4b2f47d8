import ForageTesting
import Foundation
import Testing

/// End-to-end: a gbdt search with ASHA over boosting rounds prunes trials by their validation reports, and the best
/// trial's model predicts a CSV with missing cells (`data.missing: native`) through `forage predict`.
@Suite struct GBDTRunTests {
    @Test func ashaPrunesGBDTTrialsAndTheModelPredictsRowsWithMissingCells() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var rows = ["a,b,c,label"]
        for i in 0..<400 {
            let a = Double((i * 37) % 100) / 100
            let b = Double((i * 11) % 50) / 50
            let label = a + b > 1 ? "yes" : "no"
            rows.append("\(i % 10 == 0 ? "" : String(a)),\(b),\(i % 7),\(label)")
        }
        try directory.write("data.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("g.yaml", """
            objective: {metric: val_logloss, direction: minimize}
            trial: {model: gbdt}
            data: {path: data.csv, target: label, task: classification, missing: native, seed: 1}
            search_space:
              learning_rate: {type: float, low: 0.001, high: 0.5, log: true}
              max_leaves: {type: int, low: 2, high: 16}
              rounds: {type: categorical, choices: [27]}
              report_every: {type: categorical, choices: [1]}
            searcher: {algorithm: random, seed: 3}
            scheduler: {algorithm: asha, resource: round, min: 1, max: 27, reduction: 3}
            budget: {trials: 12, parallel: 2}
            """)
        let run = try ForageProcess.run(["run", "g.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try ForageProcess.run(["trials", "g", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let trials = try #require(object["trials"] as? [[String: Any]])
        #expect(trials.count == 12)
        #expect(trials.contains { $0["state"] as? String == "pruned" }, "\(trials.map { $0["state"] ?? "" })")
        let completed = trials.filter { $0["state"] as? String == "completed" }
        #expect(!completed.isEmpty)
        let best = try #require(completed.min { ($0["value"] as? Double ?? 9) < ($1["value"] as? Double ?? 9) })
        let number = try #require(best["number"] as? Int)
        #expect(((best["metrics"] as? [String: Any])?["test_accuracy"] as? Double ?? 0) > 0.8, "\(best)")

        try directory.write("x.csv", "a,b,c\n,0.9,1\n0.9,0.8,2\n0.05,0.1,3\n")
        let predict = try ForageProcess.run(["predict", "g/\(number)", "--input", "x.csv"], in: directory.url)
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(predict.stdout)")
        #expect(lines.dropFirst(2).map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["yes", "no"], "\(predict.stdout)")
    }
}
