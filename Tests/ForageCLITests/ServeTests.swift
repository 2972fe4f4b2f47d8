import ForageRemote
import ForageServer
import ForageTesting
import Foundation
import Testing

/// End-to-end: a small logistic search → promote → `forage serve --port 0` → predictions equal `forage predict` →
/// the alias moves and the server follows within 2 s without a failed request → bad requests get 4xx → a corrupt
/// blob is refused while the old version keeps serving → SIGTERM exits cleanly.
@Suite(.serialized) struct ServeTests {
    func forage(_ arguments: [String], in directory: TemporaryDirectory) throws -> ForageProcess.Output {
        let output = try ForageProcess.run(arguments, in: directory.url)
        #expect(output.status == 0, "forage \(arguments.joined(separator: " ")): \(output.stderr)")
        return output
    }

    @Test func promoteServeFollowTheAliasAndRefuseBadRequests() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ServeSupport.writeLogisticExperiment(in: directory, rows: 90, trials: 3)
        let run = try forage(["run", "m.yaml"], in: directory)
        #expect(run.stdout.contains("as iris:1"))
        let trials = try forage(["trials", "m", "--format", "json"], in: directory)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(trials.stdout.utf8)) as? [String: Any])
        let numbers = (document["trials"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
        #expect(numbers.count == 3)
        let refused = try ForageProcess.run(["promote", "m", "--model", "iris", "--alias", "prod", "--if-better"], in: directory.url)
        #expect(refused.status != 0 && refused.stderr.contains("not better"), "\(refused.stderr)")
        _ = try forage(["models", "export", "iris@prod", "out"], in: directory)
        let exported = try String(contentsOf: directory.url.appendingPathComponent("out/model.json"), encoding: .utf8)
        #expect(exported.contains("input_schema") && exported.contains("\"spec_sha256\"") && exported.contains("\"test_accuracy\""))
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("out/model.forage").path))
        // Versions 2 and 3 from the other trials (no alias move).
        _ = try forage(["promote", "m", "--trial", "\(numbers[1])", "--model", "iris"], in: directory)
        _ = try forage(["promote", "m", "--trial", "\(numbers[2])", "--model", "iris"], in: directory)

        let server = try ForageProcess.start(["serve", "iris@prod", "--port", "0", "--poll", "0.2", "--request-timeout", "0.5", "--no-access-log"], in: directory.url)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try ServeSupport.boundPort(server)
        let client = HTTPConnection(host: "127.0.0.1", port: port)

        // Same predictions as `forage predict`, in every request format.
        try directory.write("x.csv", "a,b\n0.1,0.2\n2.1,0.1\n4.05,0.3\n1.0,0.4\n")
        let predict = try forage(["predict", "iris@prod", "--input", "x.csv"], in: directory)
        let expected = predict.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(expected.count == 4)
        let bodies = [
            #"{"inputs": [[0.1, 0.2], [2.1, 0.1], [4.05, 0.3], [1.0, 0.4]]}"#,
            #"{"instances": [{"a": 0.1, "b": 0.2}, {"a": 2.1, "b": 0.1}, {"a": 4.05, "b": 0.3}, {"a": 1.0, "b": 0.4}]}"#,
            #"{"dataframe_split": {"columns": ["b", "a"], "data": [[0.2, 0.1], [0.1, 2.1], [0.3, 4.05], [0.4, 1.0]]}}"#,
            #"{"dataframe_records": [{"a": 0.1, "b": 0.2}, {"a": 2.1, "b": 0.1}, {"a": 4.05, "b": "0.3"}, {"a": 1.0, "b": 0.4}]}"#,
        ]
        for body in bodies {
            let response = try client.send(method: "POST", path: "/invocations", body: Data(body.utf8))
            #expect(response.status == 200, "\(body): \(response.text)")
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            #expect((object?["predictions"] as? [String]) == expected, "\(body): \(response.text)")
        }
        // Pipelined requests are answered in order, whichever path answers them.
        let pipelined = HTTPConnection(host: "127.0.0.1", port: port)
        try pipelined.write(
            HTTPConnection.request(method: "GET", path: "/version") + HTTPConnection.request(method: "POST", path: "/invocations", body: Data(bodies[0].utf8))
                + HTTPConnection.request(method: "GET", path: "/ping"))
        #expect(try pipelined.readResponse().text.contains(#""alias":"prod""#))
        #expect(try pipelined.readResponse().text.contains(#""predictions""#))
        #expect(try pipelined.readResponse().text.contains(#""status":"ok""#))
        pipelined.close()
        let proba = try client.send(method: "POST", path: "/invocations?proba=true", body: Data(bodies[0].utf8))
        #expect(proba.text.contains(#""classes":["c0","c1","c2"]"#) && proba.text.contains("probabilities"))

        // Bad requests: 400 with a message naming the problem, 413 over the limit; the server keeps serving.
        let bad: [(String, String)] = [
            ("not json", "not valid JSON"),
            (#"{"inputs": [[1, 2, 3]]}"#, "expected 2 values, got 3 (columns a, b)"),
            (#"{"dataframe_split": {"columns": ["a", "zz"], "data": [[1, 2]]}}"#, "column 'b' is missing from dataframe_split.columns"),
            (#"{"inputs": [[1, "abc"]]}"#, "'abc' is not a number"),
            (#"{"inputs": []}"#, "empty"),
            (#"{"rows": [[1, 2]]}"#, "none of inputs"),
        ]
        for (body, message) in bad {
            let response = try client.send(method: "POST", path: "/invocations", body: Data(body.utf8))
            #expect(response.status == 400, "\(body) → \(response.status)")
            #expect(response.text.contains(message), "\(body) → \(response.text)")
        }
        // A client that sends its whole 10 MB body before reading (as Python's clients do) reads the 413, then the
        // connection is closed.
        let huge = HTTPConnection(host: "127.0.0.1", port: port)
        let big = try huge.send(method: "POST", path: "/invocations", body: Data(repeating: UInt8(ascii: " "), count: 10 << 20))
        #expect(big.status == 413 && big.text.contains("REQUEST_TOO_LARGE"), "\(big.status): \(big.text)")
        #expect(big.headers["connection"] == "close" && !huge.isOpen)
        // A stalled client (half a body) does not hold up others, and gets 408 at the request timeout.
        let slow = HTTPConnection(host: "127.0.0.1", port: port)
        try slow.write(Array("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inp".utf8))
        #expect(try client.send(method: "GET", path: "/ping").status == 200)
        #expect(try slow.readResponse().status == 408)
        // So does a client sending its headers a few bytes at a time ("slow headers"): the clock runs from the
        // request's first byte, so trickling does not extend it (an idle timeout would be), and others are served.
        let trickle = HTTPConnection(host: "127.0.0.1", port: port)
        let trickleStart = Date()
        var trickleOutcome = "no answer"
        do {
            try trickle.write(Array("POST /invocations HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
            for _ in 0..<3 {
                Thread.sleep(forTimeInterval: 0.1)
                #expect(try client.send(method: "GET", path: "/ping").status == 200)
                try trickle.write([UInt8(ascii: "z")])
            }
            let response = try trickle.readResponse()
            trickleOutcome = "\(response.status)"
            #expect(response.status == 408 && response.text.contains("REQUEST_TIMEOUT"), "\(response.status): \(response.text)")
        } catch {
            trickleOutcome = "closed: \(error)"  // the connection closed (also a cut), e.g. a write after the 408
        }
        let trickleSeconds = Date().timeIntervalSince(trickleStart)
        #expect(trickleOutcome != "no answer")
        #expect(trickleSeconds < 3, "slow headers were cut after \(trickleSeconds) s (\(trickleOutcome))")
        #expect(try client.send(method: "GET", path: "/ping").status == 200)

        // Move the alias while requests flow: every request succeeds, the new version answers within 2 s.
        let versionBefore = try client.send(method: "GET", path: "/version")
        #expect(versionBefore.text.contains(#""version":1"#) && versionBefore.text.contains(#""alias":"prod""#))
        let mover = try ForageProcess.start(["models", "alias", "iris", "prod", "2"], in: directory.url)
        var movedAt: Date?
        var switchedAfter: Double?
        var failures = 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let response = try client.send(method: "POST", path: "/invocations", body: Data(bodies[0].utf8))
            if response.status != 200 { failures += 1 }
            if movedAt == nil, !mover.process.isRunning { movedAt = Date() }
            if let movedAt, response.headers["x-forage-model-version"] == "2" {
                switchedAfter = Date().timeIntervalSince(movedAt)
                break
            }
        }
        mover.process.waitUntilExit()
        #expect(mover.process.terminationStatus == 0)
        #expect(failures == 0)
        let switched = try #require(switchedAfter, "the server never switched to version 2")
        #expect(switched < 2)
        #expect(try client.send(method: "GET", path: "/version").text.contains(#""version":2"#))

        // A corrupt blob (one flipped byte) is refused; the server keeps version 2.
        let show = try forage(["models", "show", "iris", "--format", "json"], in: directory)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let versions = try #require(shown["versions"] as? [[String: Any]])
        let sha = try #require(versions.first { $0["version"] as? Int == 3 }?["blob_sha256"] as? String)
        let blob = directory.url.appendingPathComponent(".forage/blobs/\(sha)")
        var bytes = try [UInt8](Data(contentsOf: blob))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: blob)
        let corrupt = try ForageProcess.run(["predict", "iris:3", "--input", "x.csv"], in: directory.url)
        #expect(corrupt.status != 0 && corrupt.stderr.contains("corrupt"), "\(corrupt.stderr)")
        _ = try forage(["models", "alias", "iris", "prod", "3"], in: directory)
        for _ in 0..<10 {
            Thread.sleep(forTimeInterval: 0.1)
            #expect(try client.send(method: "POST", path: "/invocations", body: Data(bodies[0].utf8)).status == 200)
        }
        #expect(try client.send(method: "GET", path: "/version").text.contains(#""version":2"#))
        let metrics = try client.send(method: "GET", path: "/metrics")
        #expect(metrics.text.contains("forage_requests_total") && metrics.text.contains("forage_model_load_failures_total 1"))

        // Rollback and history through the CLI.
        let rollback = try forage(["models", "rollback", "iris", "prod"], in: directory)
        #expect(rollback.stdout.contains("3 → 2"))
        let history = try forage(["models", "history", "iris", "--format", "json"], in: directory)
        let moves = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])?["moves"] as? [[String: Any]]
        #expect(moves?.compactMap { $0["new_version"] as? Int } == [1, 2, 3, 2])

        // SIGTERM drains and exits cleanly (the stalled client is dropped at the drain limit; close it to be quick).
        slow.close()
        let stopping = Date()
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stopping) < 5)
    }
}
