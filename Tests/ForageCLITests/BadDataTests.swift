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
}
