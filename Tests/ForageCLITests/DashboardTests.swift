import ForageTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `forage dashboard` answers while a search runs in another process, and the search still completes.
@Suite(.serialized) struct DashboardTests {
    static let spec = """
        name: slow
        objective: {metric: value, direction: minimize}
        trial: {function: sleep}
        search_space:
          seconds: {type: float, low: 0.08, high: 0.12}
          x0: {type: float, low: 0, high: 1}
        searcher: {algorithm: random, seed: 1}
        budget: {trials: 80, parallel: 2}
        """

    /// GETs a loopback address; returns the status code and the body.
    static func get(_ url: URL) async throws -> (Int, String) {
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
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
        try directory.write(
            "w.yaml",
            Self.spec.replacingOccurrences(of: "name: slow", with: "name: warm").replacingOccurrences(of: "trials: 80", with: "trials: 1"))
        // A first, tiny experiment creates the store, so the dashboard is up before the long search starts.
        let warm = try ForageProcess.run(["run", "w.yaml"], in: directory.url)
        #expect(warm.status == 0, "\(warm.stderr)")
        let dashboard = try ForageProcess.start(["dashboard", "--port", "0"], in: directory.url)
        defer {
            dashboard.process.terminate()
            dashboard.process.waitUntilExit()
        }
        let port = try #require(Self.boundPort(dashboard))
        let base = try #require(URL(string: "http://127.0.0.1:\(port)"))

        let (health, _) = try await Self.get(base.appendingPathComponent("health"))  // also warms up URLSession
        #expect(health == 200)

        let run = try ForageProcess.start(["run", "s.yaml"], in: directory.url)
        defer { if run.process.isRunning { run.process.terminate() } }
        var roundsWhileRunning = 0
        var seen: [String] = []
        for _ in 0..<600 where run.process.isRunning && roundsWhileRunning < 3 {
            let (summaryStatus, summary) = try await Self.get(base.appendingPathComponent("api/experiments/slow/summary"))
            seen.append("\(summaryStatus) \(summary.prefix(120))")
            if summaryStatus == 200, summary.contains("\"state\":\"running\"") {
                let (indexStatus, index) = try await Self.get(base)
                #expect(indexStatus == 200)
                #expect(index.contains("href=\"/experiments/slow\""))
                let (pageStatus, page) = try await Self.get(base.appendingPathComponent("experiments/slow"))
                #expect(pageStatus == 200)
                #expect(page.contains("<svg id=\"plot-history\"") && page.contains("data-poll=\"/api/experiments/slow/summary\""))
                let (fragmentStatus, _) = try await Self.get(try #require(URL(string: "experiments/slow?fragment=1", relativeTo: base)))
                #expect(fragmentStatus == 200)
                roundsWhileRunning += 1
            } else {
                #expect(summaryStatus == 200 || summaryStatus == 404, "before the experiment exists: 404")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(roundsWhileRunning > 0, "the dashboard answered while the search ran; saw \(seen.suffix(5))")
        let (missing, _) = try await Self.get(base.appendingPathComponent("experiments/nope"))
        #expect(missing == 404)

        run.process.waitUntilExit()
        #expect(run.process.terminationStatus == 0)
        let status = try ForageProcess.run(["status", "slow", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "finished")
        #expect((object["counts"] as? [String: Int])?["completed"] == 80)
    }
}
