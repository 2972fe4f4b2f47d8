import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end tests of command trials: the metric protocol, failures, timeouts, and kill -9 then resume.
@Suite(.serialized) struct CommandTrialTests {
    /// A trial script whose behaviour depends on its parameter `mode`.
    static let script = """
        import json, os, sys, time
        p = json.loads(os.environ["FORAGE_PARAMS"])
        mode = p["mode"]
        assert os.environ["FORAGE_PARAM_MODE"] == mode
        assert os.path.isdir(os.environ["FORAGE_TRIAL_DIR"])
        if mode == "ok":
            print("a log line")
            print(json.dumps({"step": 1, "loss": 2.0}))
            print(json.dumps({"loss": float(sys.argv[1])}))
        elif mode == "crash":
            print("something broke", file=sys.stderr)
            sys.exit(3)
        elif mode == "nan":
            print(json.dumps({"loss": float("nan")}))
        elif mode == "silent":
            print("no metrics here")
        elif mode == "hang":
            time.sleep(60)
        """

    @Test func failuresAreRecordedWithTheirReasonAndTheRunGoesOn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("t.py", Self.script)
        try directory.write("c.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, t.py, "{x}"], timeout: 4s, grace: 0.2s}
            search_space:
              mode: {type: categorical, choices: [ok, crash, nan, silent, hang]}
              x: {type: float, low: 0, high: 1}
            searcher: {algorithm: grid, points: 1}
            budget: {trials: 5, parallel: 2}
            """)
        let run = try ForageProcess.run(["run", "c.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try ForageProcess.run(["trials", "c", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let trials = try #require(object["trials"] as? [[String: Any]])
        var byMode: [String: [String: Any]] = [:]
        for trial in trials { byMode[(trial["params"] as? [String: Any])?["mode"] as? String ?? ""] = trial }
        #expect(byMode["ok"]?["state"] as? String == "completed")
        #expect(byMode["ok"]?["value"] as? Double == 0.5)
        #expect(byMode["crash"]?["reason"] as? String == "error")
        #expect((byMode["crash"]?["message"] as? String)?.contains("something broke") == true)
        #expect(byMode["nan"]?["reason"] as? String == "nan")
        #expect(byMode["silent"]?["reason"] as? String == "error")
        #expect((byMode["silent"]?["message"] as? String)?.contains("no 'loss'") == true)
        #expect(byMode["hang"]?["reason"] as? String == "timeout")
        let log = try String(contentsOf: directory.url.appendingPathComponent(".forage/trials/c/\(byMode["ok"]?["number"] as? Int ?? 0)/stdout.log"), encoding: .utf8)
        #expect(log == "a log line\n")
    }

    @Test func killNineThenResumeLosesAndRepeatsNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("slow.py", """
            import json, os, sys, time
            x = float(sys.argv[1])
            with open(os.path.join(os.environ["FORAGE_TRIAL_DIR"], "ran"), "a") as f:
                f.write("x")
            \(TrialGate.python(free: 4))
            time.sleep(0.1)
            print(json.dumps({"loss": x}))
            """)
        try TrialGate.close(in: directory.url)
        try directory.write("k.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, slow.py, "{x}"]}
            search_space: {x: {type: float, low: 0, high: 1}}
            searcher: {algorithm: random, seed: 3}
            budget: {trials: 16, parallel: 2}
            """)
        let running = try ForageProcess.start(["run", "k.yaml"], in: directory.url)
        // Kill it once a few trials are committed (polled, not a fixed sleep, so a busy machine cannot fool the test).
        for _ in 0..<600 {
            try await Task.sleep(for: .milliseconds(50))
            if ((try? trials(directory)) ?? []).filter({ $0["state"] as? String == "completed" }).count >= 2 { break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        try await Task.sleep(for: .milliseconds(400))
        // No trial process may outlive the killed forage.
        let leftovers = try ForageProcess.runShell("pgrep -f '[s]low.py' || true", in: directory.url)
        #expect(leftovers.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "orphans: \(leftovers)")

        try TrialGate.open(in: directory.url)
        let before = try trials(directory)
        let completedBefore = before.filter { $0["state"] as? String == "completed" }
        #expect(!completedBefore.isEmpty)
        #expect(completedBefore.count < 16)

        let resume = try ForageProcess.run(["resume", "k"], in: directory.url)
        #expect(resume.status == 0, "\(resume.stderr)")
        let after = try trials(directory)
        let completed = after.filter { $0["state"] as? String == "completed" }
        #expect(completed.count == 16)
        let numbers = after.compactMap { $0["number"] as? Int }
        #expect(Set(numbers).count == numbers.count)
        // Every trial committed before the kill is unchanged, and its folder shows it ran exactly once.
        for trial in completedBefore {
            let number = trial["number"] as? Int ?? -1
            #expect(after.first { $0["number"] as? Int == number }?["value"] as? Double == trial["value"] as? Double)
            let ran = try String(contentsOf: directory.url.appendingPathComponent(".forage/trials/k/\(number)/ran"), encoding: .utf8)
            #expect(ran == "x")
        }
        let interrupted = after.filter { $0["reason"] as? String == "interrupted" }
        for trial in interrupted {
            let retry = after.first { $0["retry_of"] as? Int == trial["number"] as? Int }
            #expect(retry?["state"] as? String == "completed")
        }
        let noop = try ForageProcess.run(["resume", "k"], in: directory.url)
        #expect(noop.status == 0)
        #expect(try trials(directory).count == after.count)
    }

    func trials(_ directory: TemporaryDirectory) throws -> [[String: Any]] {
        let json = try ForageProcess.run(["trials", "k", "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }
}
