import ForageRemote
import ForageTesting
import Foundation
import Testing

/// End-to-end: `forage serve` at the edges of MLflow's scoring protocol. Columns the model does not use are dropped
/// and counted, CSV bodies are read, ambiguous requests are refused naming the problem, wrong methods get 405, a
/// category never seen in training is answered but flagged and counted, `proba` on a regression model is refused,
/// and a busy port is reported in Forage's words.
@Suite(.serialized) struct ServeProtocolTests {
    func forage(_ arguments: [String], in directory: TemporaryDirectory) throws -> ForageProcess.Output {
        let output = try ForageProcess.run(arguments, in: directory.url)
        #expect(output.status == 0, "forage \(arguments.joined(separator: " ")): \(output.stderr)")
        return output
    }

    /// A classifier `shapes@prod` (numeric a, b and a categorical color) and a regression `sizes@prod`.
    func promoteModels(in directory: TemporaryDirectory) throws {
        var shapes = ["a,b,color,label"]
        var sizes = ["a,b,size"]
        let colors = ["red", "green", "blue"]
        for i in 0..<90 {
            let cls = i % 3
            let a = Double(cls) * 2 + Double(i % 7) * 0.05
            let b = Double(i % 5) * 0.1
            shapes.append("\(a),\(b),\(colors[cls]),c\(cls)")
            sizes.append("\(a),\(b),\(3 * a - b + Double(i % 4) * 0.01)")
        }
        try directory.write("shapes.csv", shapes.joined(separator: "\n") + "\n")
        try directory.write("sizes.csv", sizes.joined(separator: "\n") + "\n")
        try directory.write("shapes.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: shapes.csv, target: label, task: classification, categorical: [color], validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-5, high: 1.0e-2, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 2, parallel: 1}
            promote: {model: shapes, alias: prod}
            """)
        try directory.write("sizes.yaml", """
            objective: {metric: val_rmse, direction: minimize}
            trial: {model: ridge}
            data: {path: sizes.csv, target: size, task: regression, validation: 0.2, test: 0.2, seed: 1}
            search_space: {alpha: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 2, parallel: 1}
            promote: {model: sizes, alias: prod}
            """)
        #expect(try forage(["run", "shapes.yaml"], in: directory).stdout.contains("as shapes:1"))
        #expect(try forage(["run", "sizes.yaml"], in: directory).stdout.contains("as sizes:1"))
    }

    func predictions(_ response: HTTPConnection.Response) -> [String]? {
        (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["predictions"] as? [String]
    }

    @Test func theEdgesOfTheScoringProtocol() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try promoteModels(in: directory)
        let server = try ForageProcess.start(["serve", "shapes@prod", "--port", "0", "--no-access-log"], in: directory.url)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try ServeSupport.boundPort(server)
        let client = HTTPConnection(host: "127.0.0.1", port: port)
        func post(_ body: String, path: String = "/invocations", headers: [(String, String)] = []) throws -> HTTPConnection.Response {
            try client.send(method: "POST", path: path, headers: headers, body: Data(body.utf8))
        }

        try directory.write("x.csv", "a,b,color\n0.1,0.2,red\n2.1,0.1,green\n4.05,0.3,blue\n")
        let expected = try forage(["predict", "shapes@prod", "--input", "x.csv"], in: directory).stdout
            .split(separator: "\n").dropFirst().map(String.init)
        #expect(expected.count == 3)

        // Columns the model does not use are dropped, not refused, and counted in a header; in every format.
        let extra: [(String, String, [(String, String)])] = [
            (
                #"{"instances": [{"a": 0.1, "b": 0.2, "color": "red", "id": 7, "note": [1]}, {"a": 2.1, "b": 0.1, "color": "green", "id": 8}, {"a": 4.05, "b": 0.3, "color": "blue"}]}"#,
                "2", []
            ),
            (
                #"{"dataframe_split": {"columns": ["id", "color", "b", "a"], "data": [[1, "red", 0.2, 0.1], [2, "green", 0.1, 2.1], [3, "blue", 0.3, 4.05]]}}"#,
                "1", []
            ),
            (#"{"inputs": {"a": [0.1, 2.1, 4.05], "b": [0.2, 0.1, 0.3], "color": ["red", "green", "blue"], "id": [1, 2, 3]}}"#, "1", []),
            // A CSV body: the header names the columns, in any order.
            ("id,color,b,a,label\n1,red,0.2,0.1,c0\n2,green,0.1,2.1,c1\n3,blue,0.3,4.05,c2\n", "2", [("Content-Type", "text/csv; charset=utf-8")]),
        ]
        for (body, dropped, headers) in extra {
            let response = try post(body, headers: headers)
            #expect(response.status == 200, "\(body): \(response.text)")
            #expect(predictions(response) == expected, "\(body): \(response.text)")
            #expect(response.headers["x-forage-dropped-columns"] == dropped, "\(body): \(response.headers)")
            #expect(response.headers["x-forage-unseen-categories"] == nil)
        }
        let plain = try post(#"{"inputs": [[0.1, 0.2, "red"]]}"#)
        #expect(plain.status == 200 && plain.headers["x-forage-dropped-columns"] == nil, "\(plain.text)")

        // Ambiguous or wrong requests: 400 with a message naming the problem.
        let bad: [(String, [(String, String)], String)] = [
            (#"{"inputs": [[0.1, 0.2, "red"]], "instances": [[0.1, 0.2, "red"]]}"#, [], "the body has 'inputs' and 'instances'"),
            (#"{"instances": [{"a": 0.1, "a": 0.3, "b": 0.2, "color": "red"}]}"#, [], #"the key \"a\" twice"#),
            (#"{"dataframe_split": {"columns": ["a", "b", "a", "color"], "data": [[1, 2, 3, "red"]]}}"#, [], "column 'a' appears twice in dataframe_split.columns"),
            ("a,b,a,color\n1,2,3,red\n", [("Content-Type", "text/csv")], "column 'a' appears twice"),
            ("a,color\n1,red\n", [("Content-Type", "text/csv")], "column 'b' is missing from the CSV header"),
            ("a,b,color\n", [("Content-Type", "text/csv")], "the batch is empty"),
            (#"{"inputs": [[0.1, true, "red"]]}"#, [], "row 1, column 'b': expected a number, a string or null, got true"),
            (#"{"inputs": [[0.1, 0.2, "red"], [0.3, [1], "red"]]}"#, [], "row 2, column 'b'"),
            (#"{"inputs": [[0.1, "abc", "red"]]}"#, [], "row 1, column 'b': 'abc' is not a number"),
        ]
        for (body, headers, message) in bad {
            let response = try post(body, headers: headers)
            #expect(response.status == 400, "\(body) → \(response.status)")
            #expect(response.text.contains(message), "\(body) → \(response.text)")
            #expect(!response.text.contains("'#"), "\(body) → \(response.text)")
        }

        // Wrong methods: 405 with Allow.
        let get = try client.send(method: "GET", path: "/invocations")
        #expect(get.status == 405 && get.headers["allow"] == "POST", "\(get.status) \(get.headers)")
        #expect(get.text.contains("METHOD_NOT_ALLOWED"))
        let postPing = try post("{}", path: "/ping")
        #expect(postPing.status == 405 && postPing.headers["allow"] == "GET", "\(postPing.status) \(postPing.headers)")
        #expect(try client.send(method: "DELETE", path: "/metrics").status == 405)
        #expect(try client.send(method: "GET", path: "/nowhere").status == 404)
        #expect(try post("{}", path: "/invocations?proba=perhaps").text.contains("proba must be true or false"))

        // A category never seen in training is answered, flagged in the response and counted in /metrics.
        let unseen = try post(#"{"instances": [{"a": 0.1, "b": 0.2, "color": "red"}, {"a": 2.1, "b": 0.1, "color": "purple"}]}"#)
        #expect(unseen.status == 200, "\(unseen.text)")
        #expect(predictions(unseen)?.count == 2)
        #expect(unseen.headers["x-forage-unseen-categories"] == "1")
        #expect(unseen.text.contains(#""unseen_categories":[{"row":2,"column":"color","value":"purple"}]"#), "\(unseen.text)")
        let metrics = try client.send(method: "GET", path: "/metrics").text
        #expect(metrics.contains("forage_unseen_categories_total 1"), "\(metrics)")
        #expect(metrics.contains("forage_dropped_columns_total 6"), "\(metrics)")
        #expect(metrics.contains(#"forage_requests_total{endpoint="invocations",status="405"} 1"#), "\(metrics)")
        // `forage predict` says so too.
        try directory.write("u.csv", "a,b,color\n0.1,0.2,purple\n")
        let offline = try forage(["predict", "shapes@prod", "--input", "u.csv"], in: directory)
        #expect(offline.stderr.contains("never seen in training") && offline.stderr.contains("column 'color': 'purple'"), "\(offline.stderr)")

        // A busy port: Forage's words, with the address.
        for command in [["serve", "shapes@prod"], ["dashboard"]] {
            let busy = try ForageProcess.run(command + ["--port", "\(port)"], in: directory.url)
            #expect(busy.status != 0)
            #expect(busy.stderr.contains("error: cannot listen on 127.0.0.1:\(port): the address is already in use (is another forage"), "\(busy.stderr)")
            #expect(!busy.stderr.contains("errno") && !busy.stderr.contains("bind("), "\(busy.stderr)")
        }

        // `?proba=true` on a regression model is a 400; its predictions are values.
        let regression = try ForageProcess.start(["serve", "sizes@prod", "--port", "0", "--no-access-log"], in: directory.url)
        defer { if regression.process.isRunning { regression.process.terminate() } }
        let sizes = HTTPConnection(host: "127.0.0.1", port: try ServeSupport.boundPort(regression))
        let body = Data(#"{"inputs": [[1.0, 0.2]]}"#.utf8)
        let proba = try sizes.send(method: "POST", path: "/invocations?proba=true", body: body)
        #expect(proba.status == 400 && proba.text.contains("proba=true needs a classification model"), "\(proba.status): \(proba.text)")
        let values = try sizes.send(method: "POST", path: "/invocations", body: body)
        #expect(values.status == 200 && values.text.contains("predictions"), "\(values.text)")
        regression.process.terminate()
        regression.process.waitUntilExit()
    }

    @Test func predictSaysWhyItCannotWriteTheOutput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try promoteModels(in: directory)
        try directory.write("x.csv", "a,b,color\n0.1,0.2,red\n")
        let missing = try ForageProcess.run(["predict", "shapes@prod", "--input", "x.csv", "--output", "missing/p.csv"], in: directory.url)
        #expect(missing.status != 0)
        #expect(missing.stderr == "error: cannot write the output file missing/p.csv: the folder missing does not exist\n", "\(missing.stderr)")
        let notFolder = try ForageProcess.run(["predict", "shapes@prod", "--input", "x.csv", "--output", "x.csv/p.csv"], in: directory.url)
        #expect(notFolder.stderr.contains("cannot write the output file x.csv/p.csv: x.csv is not a folder"), "\(notFolder.stderr)")
        let written = try forage(["predict", "shapes@prod", "--input", "x.csv", "--output", "p.csv"], in: directory)
        #expect(written.stderr.contains("wrote 1 predictions to p.csv"))
        let text = try String(contentsOf: directory.url.appendingPathComponent("p.csv"), encoding: .utf8)
        #expect(text.hasPrefix("prediction\n"))
    }
}
