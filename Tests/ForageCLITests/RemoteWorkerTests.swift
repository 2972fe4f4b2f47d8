import ForageRemote
import ForageTesting
import Foundation
import Testing

/// End-to-end: a coordinator (`forage run --listen`) and `forage worker` processes on loopback. Tokens are required,
/// an expired lease is fenced off, a worker killed with SIGKILL loses only its attempt (failed `lost-worker`, then
/// retried elsewhere), and a coordinator killed with SIGKILL and resumed finds its workers again.
@Suite(.serialized) struct RemoteWorkerTests {
    static let token = "test-token-0123456789abcdef"

    /// Trials that sleep a little, so that a worker holds each for a while.
    static func sleepSpec(trials: Int) -> String {
        """
        objective: {metric: value, direction: minimize}
        trial: {function: sleep}
        search_space: {seconds: {type: float, low: 0.3, high: 0.4}}
        searcher: {algorithm: random, seed: 3}
        budget: {trials: \(trials), parallel: 0}
        """
    }

    func coordinator(_ arguments: [String], in directory: TemporaryDirectory, label: String = "coordinator") async throws -> (LoggedProcess, Int) {
        let process = try LoggedProcess.start(arguments + ["--token-file", "token"], in: directory.url, label: label)
        let line = try await process.waitForStderrLine(containing: "coordinator listening on")
        let text = try #require(line, "the coordinator did not start: \(process.stderr)")
        let port = text.split(separator: "http://127.0.0.1:").last?.prefix(while: \.isNumber)
        return (process, try #require(port.flatMap { Int($0) }, "no port in \(text)"))
    }

    func worker(_ name: String, port: Int, in directory: TemporaryDirectory) throws -> LoggedProcess {
        try LoggedProcess.start(
            ["worker", "--coordinator", "http://127.0.0.1:\(port)", "--token-file", "token", "--name", name], in: directory.url, label: name)
    }

    func trials(_ name: String, in directory: TemporaryDirectory) throws -> [[String: Any]] {
        let output = try ForageProcess.run(["trials", name, "--format", "json"], in: directory.url)
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        return document?["trials"] as? [[String: Any]] ?? []
    }

    /// Waits until `condition` holds for the experiment's trials (polled through `forage trials`).
    func waitForTrials(_ name: String, in directory: TemporaryDirectory, timeout: Double = 60, _ condition: ([[String: Any]]) -> Bool) async throws -> Bool {
        let end = Date().addingTimeInterval(timeout)
        // Checked once more after the deadline: a starved test task must not miss what happened meanwhile.
        while true {
            if condition(try trials(name, in: directory)) { return true }
            if Date() >= end { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The run's final accounting: exactly `budget` completed trials, no trial number twice, and every failed
    /// attempt retried by a later trial with the same parameters.
    func checkNothingLostOrDuplicated(_ trials: [[String: Any]], budget: Int) {
        let numbers = trials.compactMap { $0["number"] as? Int }
        #expect(Set(numbers).count == numbers.count, "a trial number appears twice")
        #expect(trials.filter { $0["state"] as? String == "completed" }.count == budget)
        for failed in trials where failed["state"] as? String == "failed" {
            let number = failed["number"] as? Int
            let retry = trials.first { $0["retry_of"] as? Int == number }
            #expect(retry != nil, "failed trial \(number ?? -1) was never retried")
            #expect((retry?["params"] as? [String: Any])?["seconds"] as? Double == (failed["params"] as? [String: Any])?["seconds"] as? Double)
        }
    }

    @Test func tokensAreRequiredAndAnExpiredLeaseIsFencedOff() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", Self.token + "\n")
        try directory.write("s.yaml", Self.sleepSpec(trials: 3))
        let (server, port) = try await coordinator(["run", "s.yaml", "--listen", "127.0.0.1:0", "--lease-timeout", "1"], in: directory)
        defer { server.kill() }
        let http = HTTPConnection(host: "127.0.0.1", port: port)
        let lease = Data(#"{"worker": "probe", "max": 1}"#.utf8)

        let anonymous = try http.send(method: "POST", path: "/v1/leases", body: lease)
        #expect(anonymous.status == 401)
        let wrong = try http.send(method: "POST", path: "/v1/leases", headers: [("Authorization", "Bearer not-the-token")], body: lease)
        #expect(wrong.status == 401)
        let auth = [("Authorization", "Bearer \(Self.token)")]
        let status = try http.send(method: "GET", path: "/v1/status", headers: auth)
        let counts = try JSONSerialization.jsonObject(with: status.body) as? [String: Any]
        #expect(counts?["leases"] as? Int == 0 && counts?["running"] as? Int == 0, "a refused request leased something: \(counts ?? [:])")

        let granted = try http.send(method: "POST", path: "/v1/leases", headers: auth, body: lease)
        #expect(granted.status == 200)
        let grant = try #require((try JSONSerialization.jsonObject(with: granted.body) as? [String: Any])?["leases"] as? [[String: Any]]).first
        let id = try #require(grant?["lease"] as? String)
        let report = try http.send(method: "POST", path: "/v1/leases/\(id)/reports", headers: auth, body: Data(#"{"step": 1, "values": {"value": 0.5}}"#.utf8))
        #expect(report.status == 200)

        // No renewal for longer than the timeout: the attempt fails as lost-worker and the lease is refused from now on.
        try await Task.sleep(for: .milliseconds(2500))
        let late = try http.send(method: "POST", path: "/v1/leases/\(id)/reports", headers: auth, body: Data(#"{"step": 2, "values": {"value": 0.1}}"#.utf8))
        #expect(late.status == 409)
        let finish = try http.send(
            method: "POST", path: "/v1/leases/\(id)/finish", headers: auth, body: Data(#"{"state": "completed", "metrics": {"value": 0.1}, "reports": []}"#.utf8))
        #expect(finish.status == 409)
        #expect(try http.send(method: "POST", path: "/v1/leases/\(id)/renew", headers: auth).status == 409)

        // A finish sent twice (a retry after a lost reply) is recorded once.
        let second = try http.send(method: "POST", path: "/v1/leases", headers: auth, body: lease)
        let secondGrant = try #require((try JSONSerialization.jsonObject(with: second.body) as? [String: Any])?["leases"] as? [[String: Any]]).first
        let secondID = try #require(secondGrant?["lease"] as? String)
        let result = Data(#"{"state": "completed", "metrics": {"value": 0.25}, "reports": []}"#.utf8)
        for duplicate in [false, true] {
            let answer = try http.send(method: "POST", path: "/v1/leases/\(secondID)/finish", headers: auth, body: result)
            #expect(answer.status == 200)
            #expect((try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["duplicate"] as? Bool == duplicate)
        }

        let helper = try worker("helper", port: port, in: directory)
        defer { helper.kill() }
        #expect(try await server.waitForExit(timeout: 60), "the run did not finish: \(server.stderr)")
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        let all = try trials("s", in: directory)
        checkNothingLostOrDuplicated(all, budget: 3)
        let lost = try #require(all.first { $0["reason"] as? String == "lost-worker" })
        #expect(lost["worker"] as? String == "probe")
        #expect(lost["last_step"] as? Int == 1, "the report on the expired lease changed the trial: \(lost)")
        #expect(all.filter { $0["state"] as? String == "completed" && $0["worker"] as? String == "probe" }.count == 1)
        #expect(all.filter { $0["state"] as? String == "completed" && $0["worker"] as? String == "helper" }.count == 2)
        #expect(try await helper.waitForExit(timeout: 10), "the worker did not stop when the run ended")
        #expect(helper.process.terminationStatus == 0)
    }

    @Test func aKilledWorkersTrialIsRetriedByAnother() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", Self.token)
        // Trials of 1.5–2 s, so the kill lands while `doomed` holds one however slow the machine's polling is.
        try directory.write("s.yaml", Self.sleepSpec(trials: 6).replacingOccurrences(of: "low: 0.3, high: 0.4", with: "low: 1.5, high: 2"))
        let (server, port) = try await coordinator(["run", "s.yaml", "--listen", "127.0.0.1:0", "--lease-timeout", "1.5"], in: directory)
        defer { server.kill() }
        // `doomed` starts alone, so it surely holds a trial when it is killed; `survivor` comes after.
        let doomed = try worker("doomed", port: port, in: directory)
        let holding = try await waitForTrials("s", in: directory) { trials in
            trials.contains { $0["state"] as? String == "running" && $0["worker"] as? String == "doomed" }
        }
        #expect(holding, "worker 'doomed' never held a trial")
        doomed.kill()
        let survivor = try worker("survivor", port: port, in: directory)
        defer { survivor.kill() }

        #expect(try await server.waitForExit(timeout: 90), "the run did not finish: \(server.stderr)")
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        let all = try trials("s", in: directory)
        checkNothingLostOrDuplicated(all, budget: 6)
        let lost = all.filter { $0["reason"] as? String == "lost-worker" }
        #expect(lost.count == 1, "\(lost)")
        for attempt in lost {
            #expect(attempt["worker"] as? String == "doomed")
            let retry = all.first { $0["retry_of"] as? Int == attempt["number"] as? Int }
            #expect(retry?["state"] as? String == "completed")
            #expect(retry?["worker"] as? String == "survivor")
        }
        #expect(try await survivor.waitForExit(timeout: 10))
    }

    @Test func workersFindAResumedCoordinator() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", Self.token)
        try directory.write("s.yaml", Self.sleepSpec(trials: 12))
        let (first, port) = try await coordinator(["run", "s.yaml", "--listen", "127.0.0.1:0", "--lease-timeout", "2"], in: directory)
        let workers = try ["w1", "w2"].map { try worker($0, port: port, in: directory) }
        defer { workers.forEach { $0.kill() } }
        let started = try await waitForTrials("s", in: directory) { trials in
            trials.filter { $0["state"] as? String == "completed" }.count >= 3
        }
        #expect(started)
        first.kill()
        let before = try trials("s", in: directory).filter { $0["state"] as? String == "completed" }

        let (second, _) = try await coordinator(["resume", "s", "--listen", "127.0.0.1:\(port)", "--lease-timeout", "2"], in: directory, label: "resumed")
        defer { second.kill() }
        #expect(try await second.waitForExit(timeout: 90), "the resumed run did not finish: \(second.stderr)")
        #expect(second.process.terminationStatus == 0, "\(second.stderr)")
        let all = try trials("s", in: directory)
        checkNothingLostOrDuplicated(all, budget: 12)
        for trial in before {
            let now = all.first { $0["number"] as? Int == trial["number"] as? Int }
            #expect(now?["state"] as? String == "completed" && now?["value"] as? Double == trial["value"] as? Double)
        }
        #expect(all.contains { $0["reason"] as? String == "interrupted" }, "no attempt was in flight at the kill")
        for worker in workers {
            #expect(try await worker.waitForExit(timeout: 15), "\(worker.stdout)")
            #expect(worker.process.terminationStatus == 0)
        }
    }

    @Test func aStoppedWorkerHandsBackItsTrial() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", Self.token)
        try directory.write("s.yaml", Self.sleepSpec(trials: 2).replacingOccurrences(of: "low: 0.3, high: 0.4", with: "low: 20, high: 30"))
        let (server, port) = try await coordinator(["run", "s.yaml", "--listen", "127.0.0.1:0"], in: directory)
        defer { server.kill() }
        let leaving = try worker("leaving", port: port, in: directory)
        defer { leaving.kill() }
        #expect(try await waitForTrials("s", in: directory) { $0.contains { $0["state"] as? String == "running" } })
        leaving.process.terminate()
        #expect(try await leaving.waitForExit(timeout: 10), "SIGTERM did not stop the worker")
        #expect(leaving.process.terminationStatus == 0, "\(leaving.stdout)")
        let all = try trials("s", in: directory)
        let handedBack = all.filter { $0["reason"] as? String == "interrupted" && $0["worker"] as? String == "leaving" }
        #expect(!handedBack.isEmpty, "\(all)")
        #expect(!all.contains { $0["state"] as? String == "running" && $0["worker"] as? String == "leaving" })
        #expect(server.process.isRunning, "the coordinator must go on without the worker")
    }

    @Test func modelTrialsOnAWorkerArePromotedOnTheCoordinator() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", Self.token)
        var rows = ["a,b,label"]
        for i in 0..<90 {
            rows.append("\(Double(i % 3) * 2 + Double(i % 7) * 0.05),\(Double(i % 5) * 0.1),c\(i % 3)")
        }
        try directory.write("data/points.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("specs/m.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: ../data/points.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-5, high: 1.0, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 3, parallel: 0}
            promote: {model: points, alias: prod}
            """)
        let (server, port) = try await coordinator(["run", "specs/m.yaml", "--listen", "127.0.0.1:0"], in: directory)
        defer { server.kill() }
        // The worker runs in another folder standing for the coordinator's: the spec's data path resolves under it.
        let elsewhere = directory.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory.url.appendingPathComponent("data/points.csv"), to: elsewhere.appendingPathComponent("data/points.csv"))
        let remote = try LoggedProcess.start(
            ["worker", "--coordinator", "http://127.0.0.1:\(port)", "--token-file", "../token", "--name", "remote", "--work-dir", "scratch"],
            in: elsewhere, label: "remote")
        defer { remote.kill() }
        #expect(try await server.waitForExit(timeout: 60), "\(server.stderr)")
        #expect(server.process.terminationStatus == 0, "\(server.stdout)\n\(server.stderr)\n\(remote.stdout)")
        #expect(server.stdout.contains("as points:1"), "\(server.stdout)")
        let all = try trials("m", in: directory)
        #expect(all.filter { $0["state"] as? String == "completed" && $0["worker"] as? String == "remote" }.count == 3)
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("scratch/trials/m/0/model.forage").path))
        let served = try ForageProcess.run(["predict", "points@prod", "--input", "data/points.csv"], in: directory.url)
        #expect(served.status == 0, "\(served.stderr)")
    }

    @Test func aSchedulerStopsTrialsOnWorkers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", Self.token)
        try directory.write("a.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere, steps: 9}
            search_space:
              x0: {type: float, low: -3, high: 3}
              x1: {type: float, low: -3, high: 3}
            searcher: {algorithm: random, seed: 4}
            scheduler: {algorithm: asha, min: 1, max: 9, reduction: 3}
            budget: {trials: 30, parallel: 0}
            """)
        let (server, port) = try await coordinator(["run", "a.yaml", "--listen", "127.0.0.1:0"], in: directory)
        defer { server.kill() }
        let remote = try worker("remote", port: port, in: directory)
        defer { remote.kill() }
        #expect(try await server.waitForExit(timeout: 60), "\(server.stderr)")
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        let all = try trials("a", in: directory)
        #expect(all.count == 30)
        let pruned = all.filter { $0["state"] as? String == "pruned" }
        #expect(!pruned.isEmpty, "the worker's trials were never stopped")
        for trial in pruned {
            #expect(trial["worker"] as? String == "remote")
            let decisions = trial["decisions"] as? [[String: Any]] ?? []
            let stop = decisions.last { $0["action"] as? String == "stop" }
            #expect((stop?["reason"] as? String)?.isEmpty == false)
            #expect(trial["last_step"] as? Int == stop?["step"] as? Int, "a stopped trial reported past its stop")
        }
    }
}
