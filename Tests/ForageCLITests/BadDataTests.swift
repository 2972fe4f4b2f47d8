import ForageTesting
import Foundation
import Testing

/// Bad data is a clear error naming the file (and row and column where there is one) before any trial starts.
@Suite struct BadDataTests {
    @Test(arguments: [
        ("a,b,y\n1,2,x\n3,4\n5,6,y\n", "row 3 has 2 fields"),
        ("a,b,y\n1,2,x\n3,hello,y\n5,6,y\n", "row 3, column 'b': 'hello' is not a number"),
        ("a,b,z\n1,2,x\n3,4,y\n", "target column 'y' not found"),
        ("a,b,y\n1,2,x\n3,4,x\n5,6,x\n", "at least 2 classes"),
        ("", "no header row or no data rows"),
        ("a,b,y\n", "no header row or no data rows"),
        ("a,b,y\n1,,x\n3,4,y\n", "row 2, column 'b': missing value"),
        ("a;b;y\n1;2;x\n3;4;y\n", "it looks separated by ';': set `delimiter: \";\"` in the spec's data section (data.delimiter)"),
        ("a\tb\ty\n1\t2\tx\n3\t4\ty\n", "it looks separated by tabs: set `delimiter: \"\\t\"`"),
    ])
    func badDataFailsBeforeAnyTrial(csv: String, fragment: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("data.csv", csv)
        try directory.write("s.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: y, task: classification}
            search_space: {l2: {type: float, low: 1.0e-4, high: 1, log: true}}
            budget: {trials: 2}
            """)
        let result = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("data.csv"), "\(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        let status = try ForageProcess.run(["status"], in: directory.url)
        #expect(!status.stdout.contains("finished") && !status.stdout.contains("running"), "\(status.stdout)")
    }

    /// A file saved with a UTF-8 byte-order mark, or separated by semicolons with `data.delimiter: ";"`, trains.
    @Test(arguments: [("\u{FEFF}y,a,b\n", ",", ""), ("y;a;b\n", ";", ", delimiter: \";\"")])
    func byteOrderMarksAndOtherDelimitersAreRead(header: String, separator: String, setting: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var csv = header
        for i in 0..<40 { csv += [i % 2 == 0 ? "p" : "q", String(i % 7), String(Double(i % 2) + Double(i % 5) * 0.1)].joined(separator: separator) + "\n" }
        try directory.write("data.csv", csv)
        try directory.write("s.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: y, task: classification\(setting)}
            search_space: {l2: {type: float, low: 1.0e-4, high: 1, log: true}}
            budget: {trials: 2}
            """)
        let result = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("finished: 2/2 trials"), "\(result.stdout)")
    }

    /// `model: auto` without `search_space:` searches the built-in space (no file from the repository needed).
    @Test func modelAutoRunsWithoutASearchSpace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var csv = "a,b,y\n"
        for i in 0..<60 { csv += "\(i % 7),\(Double(i % 2) + Double(i % 5) * 0.1),\(i % 2 == 0 ? "p" : "q")\n" }
        try directory.write("data.csv", csv)
        try directory.write("auto.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: auto}
            data: {path: data.csv, target: y, task: classification}
            searcher: {algorithm: random, seed: 1}
            budget: {trials: 4}
            """)
        let result = try ForageProcess.run(["run", "auto.yaml"], in: directory.url)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try ForageProcess.run(["trials", "auto", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let models = Set((object["trials"] as? [[String: Any]] ?? []).compactMap { ($0["params"] as? [String: Any])?["model"] as? String })
        #expect(!models.isEmpty && models.isSubset(of: ["logistic", "gbdt", "mlp"]), "\(models)")
    }
}
