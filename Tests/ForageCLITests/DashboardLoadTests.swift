import ForageTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Watching a search on the dashboard does not cost it its pace. The same seeded noop search runs in two fresh stores
/// at once: one alone, the other while `forage dashboard` serves its store and the test polls it eight times as often
/// as an open page does (the version endpoint every 0.25 s, the page body whenever the version changed). Run side by
/// side, both searches share whatever else loads the machine, so only what watching costs can tell them apart.
@Suite(.serialized) struct DashboardLoadTests {
    static let spec = """
        name: quick
        objective: {metric: value, direction: minimize}
        trial: {function: noop}
        search_space:
          x0: {type: float, low: 0, high: 1}
          x1: {type: float, low: 0.001, high: 10, log: true}
          kind: {type: categorical, choices: [a, b, c]}
        searcher: {algorithm: random, seed: 7}
        budget: {trials: 100000, parallel: 2}
        """

    /// Checks that the search ran to its end: 100 000 trials completed.
    static func expectFinished(in directory: URL) throws {
        let status = try ForageProcess.run(["status", "quick", "--format", "json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "finished")
        #expect((object["counts"] as? [String: Int])?["completed"] == 100000)
    }

    /// Reads a started process's output to its end on another thread, so that a chatty process never blocks on a
    /// full pipe.
    static func drain(_ running: ForageProcess.Running) {
        let out = running.standardOutputPipe.fileHandleForReading, err = running.standardErrorPipe.fileHandleForReading
        DispatchQueue.global().async { _ = out.readDataToEndOfFile() }
        DispatchQueue.global().async { _ = err.readDataToEndOfFile() }
    }

    @Test func aWatchedSearchKeepsItsPaceAndEveryPollIsAnswered() async throws {
        let alone = try TemporaryDirectory(), watched = try TemporaryDirectory()
        defer {
            alone.remove()
            watched.remove()
        }
        // Each experiment is made first with one trial, so that the dashboard is up and the experiment's row exists
        // before the measured search starts (as `resume` to the full budget): every poll then has something to answer,
        // however long the first one takes on a loaded machine.
        for directory in [alone, watched] {
            try directory.write("s.yaml", Self.spec)
            #expect(try ForageProcess.run(["run", "s.yaml", "--trials", "1"], in: directory.url).status == 0)
        }
        let resume = ["resume", "quick", "--trials", "100000"]

        let dashboard = try ForageProcess.start(["dashboard", "--port", "0"], in: watched.url)
        defer {
            dashboard.process.terminate()
            dashboard.process.waitUntilExit()
        }
        let port = try #require(DashboardTests.boundPort(dashboard))
        let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
        // The first request of a test process can take seconds on a busy machine (URLSession starting up): made here,
        // it cannot eat the search's run time.
        #expect(try await DashboardTests.get(base.appendingPathComponent("health")).0 == 200)
        let aloneEnd = EndTime(), watchedEnd = EndTime()
        let aloneStarted = Date()
        let aloneRun = try ForageProcess.start(resume, in: alone.url)
        aloneEnd.watch(aloneRun.process)
        Self.drain(aloneRun)
        defer { if aloneRun.process.isRunning { aloneRun.process.terminate() } }
        let watchedStarted = Date()
        let run = try ForageProcess.start(resume, in: watched.url)
        watchedEnd.watch(run.process)
        Self.drain(run)
        defer { if run.process.isRunning { run.process.terminate() } }

        var statuses: [Int] = [], versions: [String] = [], pages = 0
        let started = Date()
        while run.process.isRunning {
            let (status, answer) = try await DashboardTests.get(base.appendingPathComponent("api/experiments/quick/version"))
            statuses.append(status)
            let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
            if status == 200, let version = object?["version"] as? String, version != versions.last {
                versions.append(version)
                let (pageStatus, page) = try await DashboardTests.get(
                    try #require(URL(string: "experiments/quick?fragment=1", relativeTo: base)))
                statuses.append(pageStatus)
                #expect(page.contains("<svg id=\"plot-history\""))
                pages += 1
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        run.process.waitUntilExit()
        aloneRun.process.waitUntilExit()
        let polled = Date().timeIntervalSince(started)
        let watchedSeconds = watchedEnd.seconds(since: watchedStarted), aloneSeconds = aloneEnd.seconds(since: aloneStarted)
        #expect(run.process.terminationStatus == 0)
        #expect(aloneRun.process.terminationStatus == 0)

        // Every request was answered.
        #expect(!statuses.isEmpty && statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(pages >= 1, "the page body was fetched while the search ran")
        // However often it is polled, the dashboard renders a page at most once every 2 s, so a new version shows
        // at most that often (count-based, so it holds on a loaded machine).
        #expect(versions.count <= Int(polled / 2) + 2, "\(versions.count) versions in \(polled) s")
        // And the search kept its pace (a blocked writer would take many times longer). Generous: the two searches and
        // the dashboard share 2 cores with the other suites, and the watched search also shares them with the polls.
        try Self.expectFinished(in: alone.url)
        try Self.expectFinished(in: watched.url)
        #expect(watchedSeconds < 3 * aloneSeconds + 3, "alone \(aloneSeconds) s, watched \(watchedSeconds) s")
    }
}

/// When a process ended (set by its termination handler), for timing processes that run side by side.
private final class EndTime: @unchecked Sendable {
    private let lock = NSLock()
    private var ended: Date?

    func watch(_ process: Process) {
        process.terminationHandler = { [self] _ in
            lock.lock()
            ended = Date()
            lock.unlock()
        }
    }

    /// Seconds from `start` to the end (to now if the end is not recorded yet).
    func seconds(since start: Date) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return (ended ?? Date()).timeIntervalSince(start)
    }
}
