import ForageTesting
import Foundation
import Testing

/// Workers that claim trials straight from a shared PostgreSQL store, end to end: `forage run --shared` drives and
/// runs its own slots, `forage worker --store` processes claim the rest; when the driver is killed with SIGKILL a
/// worker takes the driver's role, a killed worker's claims are re-queued after their lease, and the search
/// completes by itself with the exact budget, no trial number or parameter set completed twice.
@Suite(.serialized) struct SharedWorkerTests {
    /// A command trial whose value is a known function of its parameters (x² + y), so every stored value is checked.
    static let script = """
        #!/bin/sh
        sleep "${TRIAL_SLEEP:-0.1}"
        printf '{"value": %s}\\n' "$(awk "BEGIN { printf \\"%.10f\\", $1 * $1 + $2 }")"
        """

    static func spec(name: String, trials: Int, parallel: Int) -> String {
        """
        name: \(name)
        objective: {metric: value, direction: minimize}
        trial: {command: ["./trial.sh", "{x}", "{y}"]}
        search_space: {x: {type: float, low: -3, high: 3}, y: {type: int, low: 0, high: 1000000}}
        searcher: {algorithm: random, seed: 9}
        budget: {trials: \(trials), parallel: \(parallel)}
        """
    }

    static func prepare(_ directory: TemporaryDirectory, name: String, trials: Int, parallel: Int) throws {
        try directory.write("trial.sh", script)
        _ = try ForageProcess.runShell("chmod +x trial.sh", in: directory.url)
        try directory.write("\(name).yaml", spec(name: name, trials: trials, parallel: parallel))
    }

    /// Checks the finished experiment: exactly `budget` completed trials, each number and parameter set once, every
    /// value the function of its parameters; returns the workers that completed trials.
    static func checkFinished(_ name: String, budget: Int, url: String, in directory: URL) throws -> [String: Int] {
        let listing = try ForageProcess.run(["trials", name, "--format", "json", "--store", url], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any], "\(listing.stderr)")
        let trials = try #require(object["trials"] as? [[String: Any]])
        let completed = trials.filter { $0["state"] as? String == "completed" }
        #expect(completed.count == budget)
        #expect(Set(completed.compactMap { $0["number"] as? Int }).count == budget)
        var parameterSets = Set<String>()
        var workers: [String: Int] = [:]
        for trial in completed {
            let params = try #require(trial["params"] as? [String: Any])
            let x = try #require(params["x"] as? Double)
            let y = try #require((params["y"] as? NSNumber)?.doubleValue)
            parameterSets.insert("\(x),\(y)")
            let value = try #require(trial["value"] as? Double)
            #expect(abs(value - (x * x + y)) < 1e-6, "trial \(trial["number"] ?? "?"): \(value) for x=\(x) y=\(y)")
            workers[trial["worker"] as? String ?? "?", default: 0] += 1
        }
        #expect(parameterSets.count == budget, "a parameter set was completed twice")
        // Whatever failed was a lost or interrupted attempt, retried under a new number.
        for trial in trials where trial["state"] as? String == "failed" {
            #expect(["lost-worker", "interrupted"].contains(trial["reason"] as? String ?? ""), "\(trial)")
        }
        let status = try ForageProcess.run(["status", name, "--format", "json", "--store", url], in: directory)
        let state = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(state["state"] as? String == "finished", "\(state)")
        return workers
    }

    @Test func aDriverAndTwoWorkersFinishAnExperimentOnTheSharedStore() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.prepare(directory, name: "pair", trials: 40, parallel: 1)
        let url = try server.createDatabase("shared")
        _ = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        // The workers start first and wait for the experiment.
        let workers = try (1...2).map { index in
            try ForageProcess.start(
                ["worker", "--store", url, "--experiment", "pair", "--parallel", "2", "--name", "w\(index)", "--quiet"], in: directory.url)
        }
        let run = try ForageProcess.run(["run", "pair.yaml", "--store", url, "--shared", "--lease-timeout", "2"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("finished: 40/40 trials"), "\(run.stdout)")
        for worker in workers {
            worker.process.waitUntilExit()
            let out = String(decoding: worker.standardOutputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(worker.process.terminationStatus == 0, "\(out)")
            #expect(out.contains("stopped:"), "\(out)")
        }
        let byWorker = try Self.checkFinished("pair", budget: 40, url: url, in: directory.url)
        #expect((byWorker["w1"] ?? 0) > 0 && (byWorker["w2"] ?? 0) > 0, "\(byWorker)")
    }

    /// `budget.time` on a shared run: nothing is queued once it is spent, the running trials end, and the experiment
    /// finishes with the budget's message, far short of its trial budget; a worker stops with it.
    @Test func budgetTimeEndsASharedSearch() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.prepare(directory, name: "timed", trials: 5000, parallel: 1)
        try directory.write("timed.yaml", Self.spec(name: "timed", trials: 5000, parallel: 1).replacingOccurrences(
            of: "budget: {trials: 5000, parallel: 1}", with: "budget: {trials: 5000, parallel: 1, time: 3s}"))
        let url = try server.createDatabase("timed")
        _ = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        let worker = try ForageProcess.start(["worker", "--store", url, "--experiment", "timed", "--parallel", "2", "--name", "w", "--quiet"], in: directory.url)
        let run = try ForageProcess.run(["run", "timed.yaml", "--store", url, "--shared", "--lease-timeout", "5"], in: directory.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("finished: "), "\(run.stdout)")
        #expect(run.stderr.contains("budget.time of 3 s reached after"), "\(run.stderr)")
        worker.process.waitUntilExit()
        #expect(worker.process.terminationStatus == 0)
        let status = try ForageProcess.run(["status", "timed", "--format", "json", "--store", url], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stderr)")
        #expect(object["state"] as? String == "finished", "\(object)")
        let listing = try ForageProcess.run(["trials", "timed", "--format", "json", "--store", url], in: directory.url)
        let trials = (try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any])?["trials"] as? [[String: Any]] ?? []
        // 0.1 s trials on 3 slots for about 3 s: dozens, never the budget, and none left queued or running.
        #expect(trials.count > 0 && trials.count < 1000, "\(trials.count)")
        #expect(trials.allSatisfy { ["completed", "failed", "pruned"].contains($0["state"] as? String ?? "") }, "\(trials.compactMap { $0["state"] as? String })")
    }

    /// The issue's scenario in small: kill -9 the driver mid-run, then a worker; a fresh worker joins; the search
    /// completes by itself.
    @Test func theSearchCompletesByItselfAfterTheDriverAndAWorkerAreKilled() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.prepare(directory, name: "kill", trials: 60, parallel: 2)
        let url = try server.createDatabase("kill")
        _ = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        let environment = ["TRIAL_SLEEP": "0.25"]
        let driver = try ForageProcess.start(["run", "kill.yaml", "--store", url, "--shared", "--lease-timeout", "1"], in: directory.url, environment: environment)
        func worker(_ name: String) throws -> ForageProcess.Running {
            try ForageProcess.start(
                ["worker", "--store", url, "--experiment", "kill", "--parallel", "2", "--name", name, "--quiet"], in: directory.url,
                environment: environment)
        }
        let first = try worker("w1")
        let second = try worker("w2")
        // Kill the driver once trials are being completed, then a worker.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let done = try server.psql(url, "SELECT count(*) FROM trials WHERE state = 'completed'")
            if (Int(done.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 10 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(driver.process.processIdentifier, SIGKILL)
        driver.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.5)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let fresh = try worker("w3")
        for process in [second, fresh] {
            process.process.waitUntilExit()
            let out = String(decoding: process.standardOutputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: process.standardErrorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.process.terminationStatus == 0, "\(out)\(err)")
        }
        _ = try Self.checkFinished("kill", budget: 60, url: url, in: directory.url)
        // The killed processes' claims were failed as lost-worker (by the database clock) and retried.
        let lost = try server.psql(url, "SELECT count(*) FROM trials WHERE reason = 'lost-worker'")
        #expect((Int(lost.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1, "\(lost)")
        let unretried = try server.psql(
            url, "SELECT count(*) FROM trials t WHERE state = 'failed' AND requeued AND NOT EXISTS (SELECT 1 FROM trials r WHERE r.retry_of = t.number)")
        #expect(unretried.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func aWorkerOnAFolderStoreIsToldWhatWorksInstead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let noTarget = try ForageProcess.run(["worker"], in: directory.url)
        #expect(noTarget.status != 0 && noTarget.stderr.contains("--coordinator http://HOST:PORT (with --token-file) or --store postgres://"), "\(noTarget.stderr)")
        try Self.prepare(directory, name: "folder", trials: 2, parallel: 1)
        let run = try ForageProcess.run(["run", "folder.yaml", "--store", "local", "--shared"], in: directory.url)
        #expect(run.status != 0 && run.stderr.contains("--shared needs a PostgreSQL store"), "\(run.stderr)")
    }
}
