import ForageRemote
import ForageServer
import ForageTesting
import Foundation
import Testing

/// End-to-end: `forage serve M@prod --canary M@staging:10% --shadow M@staging` under 20 000 requests: the canary
/// answers 10% ± 1.5% of them, sticky by `X-Request-Id`; `/rollout` and `/metrics` report both versions with the
/// shadow's agreement; moving the canary's alias is followed with no failed request.
@Suite(.serialized) struct RolloutTests {
    func forage(_ arguments: [String], in directory: TemporaryDirectory) throws -> ForageProcess.Output {
        let output = try ForageProcess.run(arguments, in: directory.url)
        #expect(output.status == 0, "forage \(arguments.joined(separator: " ")): \(output.stderr)")
        return output
    }

    /// Three versions of a 3-class logistic model: iris@prod → 1, iris@staging → 2.
    static func registry(in directory: TemporaryDirectory) throws {
        var rows = ["a,b,label"]
        for i in 0..<90 {
            let cls = i % 3
            rows.append("\(Double(cls) * 2 + Double(i % 7) * 0.3),\(Double(i % 5) * 0.4),c\(cls)")
        }
        try directory.write("data.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("m.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-5, high: 10.0, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 3, parallel: 1}
            """)
        for arguments in [
            ["run", "m.yaml"], ["promote", "m", "--trial", "0", "--model", "iris", "--alias", "prod"],
            ["promote", "m", "--trial", "1", "--model", "iris", "--alias", "staging"], ["promote", "m", "--trial", "2", "--model", "iris"],
        ] {
            let output = try ForageProcess.run(arguments, in: directory.url)
            guard output.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: output.stderr]) }
        }
    }

    /// Sends `count` requests pipelined in batches (ids `prefix-<n>`, or none when `prefix` is nil) and returns
    /// the answering version of each, or -status for a failed one.
    static func send(_ client: HTTPConnection, count: Int, idPrefix prefix: String?, body: Data) throws -> [Int] {
        var versions: [Int] = []
        var sent = 0
        while sent < count {
            let batch = min(100, count - sent)
            var bytes: [UInt8] = []
            for n in sent..<(sent + batch) {
                let headers = prefix.map { [("X-Request-Id", "\($0)-\(n)")] } ?? []
                bytes += HTTPConnection.request(method: "POST", path: "/invocations", headers: headers, body: body)
            }
            try client.write(bytes)
            for _ in 0..<batch {
                let response = try client.readResponse()
                versions.append(response.status == 200 ? Int(response.headers["x-forage-model-version"] ?? "") ?? 0 : -response.status)
            }
            sent += batch
        }
        return versions
    }

    @Test func canaryShareStickinessRolloutMetricsAndAliasMove() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.registry(in: directory)
        let server = try ForageProcess.start(
            ["serve", "iris@prod", "--canary", "iris@staging:10%", "--shadow", "iris@staging", "--port", "0", "--poll", "0.2", "--no-access-log"],
            in: directory.url)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try ServeSupport.boundPort(server)
        let client = HTTPConnection(host: "127.0.0.1", port: port)
        let body = Data(#"{"inputs": [[0.5, 0.4], [2.6, 0.8], [4.3, 1.2]]}"#.utf8)

        // 20 000 requests with distinct ids: the canary (version 2) answers 10% ± 1.5% of them, the rest version 1.
        let versions = try Self.send(client, count: 20_000, idPrefix: "user", body: body)
        let canaryShare = Double(versions.filter { $0 == 2 }.count) / Double(versions.count)
        #expect(versions.allSatisfy { $0 == 1 || $0 == 2 }, "failed or unexpected answers: \(Set(versions))")
        #expect(abs(canaryShare - 0.10) <= 0.015, "canary share \(canaryShare)")
        // Sticky: the same ids get the same versions again.
        let again = try Self.send(client, count: 500, idPrefix: "user", body: body)
        #expect(again == Array(versions.prefix(500)))
        // Without ids the share is kept by count: exactly 10 of 100.
        let anonymous = try Self.send(client, count: 100, idPrefix: nil, body: body)
        #expect(anonymous.filter { $0 == 2 }.count == 10)

        // /rollout: both versions' counts, error rates, latency percentiles; the shadow's agreement once its
        // background comparisons are done.
        var rollout: [String: Any] = [:]
        for _ in 0..<100 {
            let response = try client.send(method: "GET", path: "/rollout")
            rollout = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            let shadow = (rollout["shadow"] as? [String: Any])?["versions"] as? [[String: Any]]
            let compared = (shadow?.first?["agreement"] as? [String: Any])?["compared_rows"] as? Int ?? 0
            let dropped = rollout["comparisons_dropped"] as? Int ?? 0
            if compared / 3 + dropped >= 20_600 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        func figures(_ role: String) -> [String: Any]? {
            ((rollout[role] as? [String: Any])?["versions"] as? [[String: Any]])?.first
        }
        let primary = try #require(figures("primary"), "\(rollout)")
        let canary = try #require(figures("canary"), "\(rollout)")
        let shadow = try #require(figures("shadow"), "\(rollout)")
        #expect(primary["version"] as? Int == 1 && canary["version"] as? Int == 2 && shadow["version"] as? Int == 2)
        #expect((primary["requests"] as? Int ?? 0) + (canary["requests"] as? Int ?? 0) == 20_600)
        #expect(canary["errors"] as? Int == 0 && canary["error_rate"] as? Double == 0)
        let latency = try #require(canary["latency_ms"] as? [String: Any])
        #expect((latency["p50"] as? Double ?? -1) > 0 && (latency["p99"] as? Double ?? -1) >= (latency["p50"] as? Double ?? 0))
        let shadowAgreement = try #require(shadow["agreement"] as? [String: Any])
        let ratio = try #require(shadowAgreement["ratio"] as? Double)
        #expect(ratio >= 0 && ratio <= 1)
        #expect((rollout["canary"] as? [String: Any])?["fraction"] as? Double == 0.1)

        let metrics = try client.send(method: "GET", path: "/metrics").text
        for series in [
            #"forage_rollout_requests_total{role="primary",version="1"}"#, #"forage_rollout_requests_total{role="canary",version="2"}"#,
            #"forage_rollout_agreement_ratio{role="shadow",version="2"}"#, #"forage_rollout_agreement_ratio{role="canary",version="2"}"#,
            #"forage_rollout_request_duration_seconds_bucket{role="canary",version="2""#,
        ] {
            #expect(metrics.contains(series), "no \(series) in /metrics")
        }

        // Move the canary's alias while requests flow: no request fails, and version 3 takes the canary's share.
        let mover = try ForageProcess.start(["models", "alias", "iris", "staging", "3"], in: directory.url)
        var failures = 0
        var followed = false
        let deadline = Date().addingTimeInterval(10)
        var round = 0
        while Date() < deadline, !followed {
            let answered = try Self.send(client, count: 100, idPrefix: "move\(round)", body: body)
            failures += answered.filter { $0 <= 0 }.count
            followed = !mover.process.isRunning && answered.contains(3)
            round += 1
        }
        mover.process.waitUntilExit()
        #expect(failures == 0)
        #expect(followed, "the canary never moved to version 3")
        let after = try Self.send(client, count: 2_000, idPrefix: "after", body: body)
        #expect(Set(after) == [1, 3])

        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    /// A shadow that refuses every request (it needs a column the requests do not have) fails none of them: they are
    /// answered by the primary, and the shadow's failures are counted in `/rollout`.
    @Test func aFailingShadowFailsNoRequest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.registry(in: directory)
        var rows = ["a,c,label"]
        for i in 0..<60 { rows.append("\(Double(i % 3) * 2),\(Double(i % 4)),c\(i % 3)") }
        try directory.write("other.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("o.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: other.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-3, high: 1.0, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 1, parallel: 1}
            promote: {model: other, alias: prod}
            """)
        #expect(try ForageProcess.run(["run", "o.yaml"], in: directory.url).status == 0)
        let server = try ForageProcess.start(
            ["serve", "iris@prod", "--shadow", "other@prod", "--port", "0", "--no-access-log"], in: directory.url)
        defer { if server.process.isRunning { server.process.terminate() } }
        let client = HTTPConnection(host: "127.0.0.1", port: try ServeSupport.boundPort(server))
        let body = Data(#"{"dataframe_split": {"columns": ["a", "b"], "data": [[0.5, 0.4]]}}"#.utf8)
        let versions = try Self.send(client, count: 300, idPrefix: nil, body: body)
        #expect(versions.allSatisfy { $0 == 1 }, "\(Set(versions))")
        var failed = 0
        for _ in 0..<50 where failed < 300 {
            let rollout = try JSONSerialization.jsonObject(with: try client.send(method: "GET", path: "/rollout").body) as? [String: Any]
            let shadow = ((rollout?["shadow"] as? [String: Any])?["versions"] as? [[String: Any]])?.first
            failed = (shadow?["agreement"] as? [String: Any])?["failed_comparisons"] as? Int ?? 0
            if failed < 300 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(failed == 300)
        server.process.terminate()
        server.process.waitUntilExit()
    }

    @Test func aMalformedCanaryIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let malformed = try ForageProcess.run(["serve", "iris@prod", "--canary", "iris@staging:150%"], in: directory.url)
        #expect(malformed.status != 0 && malformed.stderr.contains("--canary must be NAME@ALIAS:PERCENT%"), "\(malformed.stderr)")
        let missing = try ForageProcess.run(["serve", "iris@prod", "--canary", "iris@staging"], in: directory.url)
        #expect(missing.status != 0 && missing.stderr.contains("--canary"), "\(missing.stderr)")
    }
}
