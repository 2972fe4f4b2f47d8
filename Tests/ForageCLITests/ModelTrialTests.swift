import ForageTesting
import Foundation
import Testing

/// End-to-end: an AutoML search on a CSV, then predictions from the best trial's saved model.
@Suite struct ModelTrialTests {
    @Test func anIrisSearchSavesModelsThatPredictTheClasses() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var rows = ["a,b,label"]
        for i in 0..<90 {
            let cls = i % 3
            rows.append("\(Double(cls) * 2 + Double(i % 7) * 0.05),\(Double(i % 5) * 0.1),c\(cls)")
        }
        try directory.write("data.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("m.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-5, high: 1.0e-2, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 3, parallel: 2}
            """)
        let run = try ForageProcess.run(["run", "m.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let status = try ForageProcess.run(["status", "m", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["rows"] as? Int == 90)
        #expect((data["sha256"] as? String)?.count == 64)
        let best = try #require(object["best"] as? [String: Any])
        let number = try #require(best["number"] as? Int)
        #expect((best["metrics"] as? [String: Any])?["test_accuracy"] != nil)

        try directory.write("x.csv", "a,b\n0.1,0.2\n2.1,0.1\n4.05,0.3\n")
        let predict = try ForageProcess.run(["predict", "m/\(number)", "--input", "x.csv"], in: directory.url)
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["c0", "c1", "c2"])

        let missing = try ForageProcess.run(["predict", "m/99", "--input", "x.csv"], in: directory.url)
        #expect(missing.status != 0 && missing.stderr.hasPrefix("error: "))
    }
}
