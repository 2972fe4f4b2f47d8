import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end tests of the `forage` Python package (`python/`) under the built binary: cooperative pruning through
/// the control channel, and checkpoints that survive `kill -9` of forage.
@Suite(.serialized) struct PythonPackageTests {
    /// `python/src` of this checkout, put on the trials' PYTHONPATH.
    static var packagePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/src").path
    }

    static var environment: [String: String] { ["PYTHONPATH": packagePath] }

    static let prunedScript = """
        import os, signal, sys, time
        import forage

        def on_term(*_):
            open(os.path.join(forage.trial_dir(), "sigterm"), "w").write("x")
            sys.exit(143)

        signal.signal(signal.SIGTERM, on_term)
        p = forage.params(defaults={"lr": 0.1})
        loss = 1.0
        try:
            for epoch in range(1, 10):
                time.sleep(0.01)
                loss = (1 - p["lr"]) ** epoch
                forage.report(step=epoch, loss=loss)
        except forage.Pruned as stop:
            print(f"cleanup after pruning at step {stop.step}")
            sys.exit(0)
        forage.report(loss=loss)
        """

    @Test func prunedTrialsLeaveThroughPrunedAndRunTheirCleanUp() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("train.py", Self.prunedScript)
        try directory.write("p.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, train.py], grace: 4s}
            search_space: {lr: {type: float, low: 0.01, high: 0.5, log: true}}
            searcher: {algorithm: tpe, seed: 5}
            scheduler: {algorithm: asha, min: 1, max: 9, reduction: 3}
            budget: {trials: 14, parallel: 2}
            """)
        let run = try await ForageProcess.runDetached(["run", "p.yaml"], in: directory.url, environment: Self.environment)
        #expect(run.status == 0, "\(run.stderr)")
        let trials = try await Self.trials("p", in: directory)
        let pruned = trials.filter { $0["state"] as? String == "pruned" }
        #expect(pruned.count >= 3, "\(trials.map { $0["state"] ?? "" })")
        #expect(trials.contains { $0["state"] as? String == "completed" })
        for trial in pruned {
            let folder = directory.url.appendingPathComponent(".forage/trials/p/\(trial["number"] as? Int ?? -1)")
            let log = (try? String(contentsOf: folder.appendingPathComponent("stdout.log"), encoding: .utf8)) ?? ""
            #expect(log.contains("cleanup after pruning at step \(trial["last_step"] as? Int ?? -1)"), "log: \(log)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("sigterm").path), "trial \(trial["number"] ?? "") got SIGTERM")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("control.reader").path))
        }
    }

    @Test func aPlainScriptIsStillStoppedBySigterm() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("plain.py", """
            import json, os, signal, sys, time
            p = json.loads(os.environ["FORAGE_PARAMS"])
            def on_term(*_):
                open(os.path.join(os.environ["FORAGE_TRIAL_DIR"], "sigterm"), "w").write("x")
                sys.exit(143)
            signal.signal(signal.SIGTERM, on_term)
            # Later grid points are worse, so ASHA stops them.
            for epoch in range(1, 10):
                print(json.dumps({"step": epoch, "loss": (0.5 + p["lr"]) ** epoch}), flush=True)
                time.sleep(0.1)
            print(json.dumps({"loss": (0.5 + p["lr"]) ** 9}))
            """)
        try directory.write("q.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, plain.py], grace: 60s}
            search_space: {lr: {type: float, low: 0.01, high: 0.5}}
            searcher: {algorithm: grid, points: 4}
            scheduler: {algorithm: asha, min: 1, max: 9, reduction: 2}
            budget: {trials: 4, parallel: 1}
            """)
        let started = Date()
        let run = try await ForageProcess.runDetached(["run", "q.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let trials = try await Self.trials("q", in: directory)
        let pruned = trials.filter { $0["state"] as? String == "pruned" }
        #expect(!pruned.isEmpty)
        for trial in pruned {
            let folder = directory.url.appendingPathComponent(".forage/trials/q/\(trial["number"] as? Int ?? -1)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sigterm").path))
        }
        // No cooperative wait for a script that never announced itself (the grace is 60 s; the run takes a few
        // seconds, more on a loaded machine).
        #expect(Date().timeIntervalSince(started) < 45)
    }

    static let checkpointScript = """
        import json, os, time
        import forage

        p = forage.params(defaults={"lr": 0.3})
        path = os.path.join(forage.checkpoint_dir(), "state.json")
        start, w = 0, 1.0
        if os.path.exists(path):
            with open(path) as f:
                state = json.load(f)
            start, w = state["epoch"], state["w"]
            print(f"resuming at epoch {start}", flush=True)
        else:
            print("starting at epoch 0", flush=True)
        for epoch in range(start, 8):
            time.sleep(0.25)
            w = w - p["lr"] * (w - 0.2) + 0.01 * epoch
            with open(path + ".tmp", "w") as f:
                json.dump({"epoch": epoch + 1, "w": w}, f)
            os.replace(path + ".tmp", path)
            forage.report(step=epoch, loss=w)
            # After the third checkpoint, wait while the test holds the gate (it kills forage meanwhile).
            waited = 0
            while epoch + 1 == 3 and os.path.exists("hold") and waited < 600:
                time.sleep(0.05)
                waited += 1
        forage.report(loss=w)
        """

    @Test func aCheckpointingTrialKilledWithForageResumesFromItsCheckpoint() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("resumable_train.py", Self.checkpointScript)
        try directory.write("ck.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, resumable_train.py]}
            search_space: {lr: {type: float, low: 0.1, high: 0.9}}
            searcher: {algorithm: random, seed: 11}
            budget: {trials: 1, parallel: 1}
            """)
        // The gate holds the trial after its third checkpoint, so the kill lands mid-run however busy the machine is.
        try TrialGate.close(in: directory.url)
        let running = try ForageProcess.start(["run", "ck.yaml"], in: directory.url, environment: Self.environment)
        let checkpoint = directory.url.appendingPathComponent(".forage/trials/ck/checkpoints/0/state.json")
        var epochAtKill = 0
        for _ in 0..<2400 {
            try await Task.sleep(for: .milliseconds(25))
            if let data = try? Data(contentsOf: checkpoint),
                let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let epoch = state["epoch"] as? Int, epoch >= 3
            {
                epochAtKill = epoch
                break
            }
        }
        #expect(epochAtKill >= 3)
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        try await Task.sleep(for: .milliseconds(300))
        try TrialGate.open(in: directory.url)
        let leftovers = try await ForageProcess.runShellDetached("pgrep -f '[r]esumable_train.py' || true", in: directory.url)
        #expect(leftovers.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "orphans: \(leftovers)")

        let resume = try await ForageProcess.runDetached(["resume", "ck"], in: directory.url, environment: Self.environment)
        #expect(resume.status == 0, "\(resume.stderr)")
        let trials = try await Self.trials("ck", in: directory)
        let retry = try #require(trials.first { $0["state"] as? String == "completed" })
        #expect(retry["retry_of"] as? Int == 0)
        let log = try String(
            contentsOf: directory.url.appendingPathComponent(".forage/trials/ck/\(retry["number"] as? Int ?? -1)/stdout.log"), encoding: .utf8)
        let resumedAt = log.components(separatedBy: "resuming at epoch ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect((resumedAt ?? 0) >= epochAtKill, "log: \(log)")

        // The same trial run without interruption ends with the same value.
        let whole = try await ForageProcess.runDetached(["run", "ck.yaml", "--name", "whole"], in: directory.url, environment: Self.environment)
        #expect(whole.status == 0, "\(whole.stderr)")
        let uninterrupted = try #require(try await Self.trials("whole", in: directory).first)
        #expect(uninterrupted["value"] as? Double == retry["value"] as? Double)
        #expect((uninterrupted["params"] as? [String: Double]) == (retry["params"] as? [String: Double]))
    }

    static func trials(_ name: String, in directory: TemporaryDirectory) async throws -> [[String: Any]] {
        let json = try await ForageProcess.runDetached(["trials", name, "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }
}
