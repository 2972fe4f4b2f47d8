import ForageTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `forage dashboard` answers while a search runs in another process, and the search still completes.
@Suite(.serialized) struct DashboardTests {
    /// Trials wait for a file named `go`, which the test creates once it has polled the dashboard: the search is
    /// running for as long as the test needs, however busy the machine.
    static let spec = """
        name: slow
        objective: {metric: value, direction: minimize}
        trial: {command: "while [ ! -f go ]; do sleep 0.02; done; echo '{\\"value\\": {x0}}'"}
        search_space:
          x0: {type: float, low: 0, high: 1}
        searcher: {algorithm: random, seed: 1}
        budget: {trials: 60, parallel: 2}
        """

    /// GETs a loopback address; returns the status code and the body.
    static func get(_ url: URL) async throws -> (Int, String) {
        let (status, body, _) = try await get(url, headers: [:])
        return (status, body)
    }

    /// GETs a loopback address with extra request headers; returns the status code, the body and the ETag.
    static func get(_ url: URL, headers: [String: String]) async throws -> (Int, String, String?) {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 10)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "ETag"))
    }

    /// Reads the dashboard's first stdout line and takes the port from it.
    static func boundPort(_ process: ForageProcess.Running) -> Int? {
        var text = ""
        let handle = process.standardOutputPipe.fileHandleForReading
        while !text.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { return nil }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: #"127\.0\.0\.1:([0-9]+)"#, options: .regularExpression) else { return nil }
        return Int(text[range].split(separator: ":").last ?? "")
    }

    @Test func pagesAnswerDuringARunningSearchAndTheSearchCompletes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", Self.spec)
        let run = try ForageProcess.start(["run", "s.yaml"], in: directory.url)
        defer { if run.process.isRunning { run.process.terminate() } }
        let database = directory.url.appendingPathComponent(".forage/forage.sqlite")
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: database.path) { try await Task.sleep(for: .milliseconds(20)) }

        let dashboard = try ForageProcess.start(["dashboard", "--port", "0"], in: directory.url)
        defer {
            dashboard.process.terminate()
            dashboard.process.waitUntilExit()
        }
        let port = try #require(Self.boundPort(dashboard))
        let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
        // The store file can exist a moment before the experiment's row does.
        for _ in 0..<200 {
            if (try? await Self.get(base.appendingPathComponent("api/experiments/slow/summary")))?.0 == 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        var sawRunning = false
        for _ in 0..<10 where run.process.isRunning {
            let (summaryStatus, summary) = try await Self.get(base.appendingPathComponent("api/experiments/slow/summary"))
            #expect(summaryStatus == 200)
            if summary.contains("\"state\":\"running\"") { sawRunning = true }
            let (indexStatus, index) = try await Self.get(base)
            #expect(indexStatus == 200)
            #expect(index.contains("href=\"/experiments/slow\""))
            let (pageStatus, page) = try await Self.get(base.appendingPathComponent("experiments/slow"))
            #expect(pageStatus == 200)
            #expect(page.contains("<svg id=\"plot-history\"") && page.contains("data-poll=\"/api/experiments/slow/version\""))
            let (versionStatus, version) = try await Self.get(base.appendingPathComponent("api/experiments/slow/version"))
            #expect(versionStatus == 200 && version.contains("\"version\":\"running:"), "\(version)")
            let (listVersionStatus, _) = try await Self.get(base.appendingPathComponent("api/experiments/version"))
            #expect(listVersionStatus == 200)
            let fragmentURL = try #require(URL(string: "experiments/slow?fragment=1", relativeTo: base))
            let (fragmentStatus, _) = try await Self.get(fragmentURL)
            #expect(fragmentStatus == 200)
            try await Task.sleep(for: .milliseconds(150))
        }
        #expect(sawRunning, "the dashboard was polled while the search ran")
        // While the trials are held the body settles; asked again with its ETag, the dashboard answers 304 (a
        // background rebuild may land between the two requests, hence a few tries).
        let fragmentURL = try #require(URL(string: "experiments/slow?fragment=1", relativeTo: base))
        var notModified = false
        for _ in 0..<5 where !notModified {
            let (_, _, tag) = try await Self.get(fragmentURL, headers: [:])
            notModified = try await Self.get(fragmentURL, headers: ["If-None-Match": try #require(tag)]).0 == 304
        }
        #expect(notModified)
        try directory.write("go", "")
        let (missing, _) = try await Self.get(base.appendingPathComponent("experiments/nope"))
        #expect(missing == 404)

        run.process.waitUntilExit()
        #expect(run.process.terminationStatus == 0)
        // The page catches up with the finished search: every trial it first read as running now shows completed
        // (the dashboard re-reads only trials that were still open).
        var finished = ""
        for _ in 0..<300 where !finished.hasPrefix("finished:") {
            let (_, answer) = try await Self.get(base.appendingPathComponent("api/experiments/slow/version"))
            let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
            finished = object?["version"] as? String ?? ""
            if !finished.hasPrefix("finished:") { try await Task.sleep(for: .milliseconds(100)) }
        }
        let (_, body) = try await Self.get(fragmentURL)
        #expect(body.components(separatedBy: "class=\"pt-c\"").count - 1 == 60, "every completed trial is plotted")
        #expect(body.contains("60 of 60 finished"))
        let status = try ForageProcess.run(["status", "slow", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "finished")
        #expect((object["counts"] as? [String: Int])?["completed"] == 60)
    }
}
