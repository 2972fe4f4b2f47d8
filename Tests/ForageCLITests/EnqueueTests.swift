import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end tests of `forage enqueue` and a spec's `enqueue:` list: exact parameters run before sampled ones,
/// once each, across `kill -9` and resume, and on a finished experiment with the next `resume --trials`.
@Suite(.serialized) struct EnqueueTests {
    static let script = """
        import json, os, sys, time
        x, k = float(sys.argv[1]), int(sys.argv[2])
        with open("runs.log", "a") as f:
            f.write("%s %d\\n" % (x, k))
        time.sleep(float(os.environ.get("SLEEP", "0")))
        print(json.dumps({"loss": x + k}))
        """

    /// The trial script sleeps `SLEEP` seconds (from forage's environment, which command trials inherit).
    static func spec(trials: Int, extra: String = "") -> String {
        """
        name: q
        objective: {metric: loss, direction: minimize}
        trial: {command: [python3, t.py, "{x}", "{k}"]}
        search_space:
          x: {type: float, low: 0, high: 1}
          k: {type: int, low: 1, high: 5}
        searcher: {algorithm: tpe, seed: 4}
        budget: {trials: \(trials), parallel: 1}
        \(extra)
        """
    }

    static func trials(_ directory: TemporaryDirectory) throws -> [[String: Any]] {
        let json = try ForageProcess.run(["trials", "q", "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }

    static func key(_ trial: [String: Any]) -> String {
        let params = trial["params"] as? [String: Any] ?? [:]
        return "\(params["x"] as? Double ?? -1) \(params["k"] as? Int ?? -1)"
    }

    @Test func enqueuedParametersRunFirstAndOnceAcrossKillNineAndAFinishedExperiment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("t.py", Self.script)
        try directory.write("q.yaml", Self.spec(trials: 5, extra: "enqueue: [{x: 0.25, k: 3}]"))
        let running = try ForageProcess.start(["run", "q.yaml"], in: directory.url, environment: ["SLEEP": "600"])
        // Killed while the enqueued trial runs (its start committed: the store lists it as running).
        for _ in 0..<600 {
            try await Task.sleep(for: .milliseconds(50))
            if ((try? Self.trials(directory)) ?? []).contains(where: { $0["state"] as? String == "running" }) { break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        let first = try Self.trials(directory)
        #expect(first.count == 1 && Self.key(first[0]) == "0.25 3", "\(first)")

        // Two more while nobody runs it; refusals name the parameter and what is allowed.
        let added = try ForageProcess.run(["enqueue", "q", "--params", #"{"x": 0.5, "k": 2}"#, "--params", #"{"x": 1, "k": 1}"#], in: directory.url)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("for q: k=2 x=0.5"), "\(added.stdout)")
        #expect(added.stderr.contains("2 queued; they run first at `forage resume q`"), "\(added.stderr)")
        let outside = try ForageProcess.run(["enqueue", "q", "--params", #"{"x": 2.5, "k": 2}"#], in: directory.url)
        #expect(outside.status != 0)
        #expect(outside.stderr.contains("error: --params does not fit the search space of 'q': 'x' is 2.5, outside the space: allowed a number in [0.0, 1.0]"), "\(outside.stderr)")
        let unknown = try ForageProcess.run(["enqueue", "q", "--params", #"{"xx": 0.5, "k": 2}"#], in: directory.url)
        #expect(unknown.stderr.contains("'xx' is not a parameter of the search space (did you mean 'x'?)"), "\(unknown.stderr)")
        let notJSON = try ForageProcess.run(["enqueue", "q", "--params", "x=0.5"], in: directory.url)
        #expect(notJSON.status != 0 && notJSON.stderr.contains("--params must be a JSON object"), "\(notJSON.stderr)")

        // status shows what waits: in the table and as `enqueued_pending` in JSON.
        let waiting = try ForageProcess.run(["status", "q"], in: directory.url)
        #expect(waiting.stdout.contains("enqueued    2 parameter sets waiting"), "\(waiting.stdout)")
        let waitingJSON = try ForageProcess.run(["status", "q", "--format", "json"], in: directory.url)
        let statusObject = try JSONSerialization.jsonObject(with: Data(waitingJSON.stdout.utf8)) as? [String: Any]
        #expect(statusObject?["enqueued_pending"] as? Int == 2, "\(waitingJSON.stdout)")

        let resume = try ForageProcess.run(["resume", "q"], in: directory.url, environment: ["SLEEP": "0"])
        #expect(resume.status == 0, "\(resume.stderr)")
        var after = try Self.trials(directory)
        // The interrupted enqueued trial is retried (same parameters); then the other two; then sampled ones.
        let fresh = after.filter { $0["retry_of"] is NSNull || $0["retry_of"] == nil }
        #expect(fresh.prefix(3).map(Self.key) == ["0.25 3", "0.5 2", "1.0 1"], "\(after)")
        #expect(after.first { $0["retry_of"] as? Int == 0 }.map(Self.key) == "0.25 3")
        #expect(after.filter { $0["state"] as? String == "completed" }.count == 5)
        #expect(Set(fresh.map(Self.key)).count == fresh.count, "an enqueued set ran twice: \(fresh.map(Self.key))")

        // A finished experiment: queued parameters wait for a larger budget, then run once.
        let drained = try ForageProcess.run(["status", "q", "--format", "json"], in: directory.url)
        #expect((try JSONSerialization.jsonObject(with: Data(drained.stdout.utf8)) as? [String: Any])?["enqueued_pending"] as? Int == 0)
        let late = try ForageProcess.run(["enqueue", "q", "--params", #"{"x": 0.125, "k": 5}"#], in: directory.url)
        #expect(late.stderr.contains("they run first with `forage resume q --trials 6`"), "\(late.stderr)")
        #expect(try ForageProcess.run(["resume", "q"], in: directory.url).status == 0)
        #expect(try Self.trials(directory).count == after.count)
        #expect(try ForageProcess.run(["resume", "q", "--trials", "7"], in: directory.url).status == 0)
        after = try Self.trials(directory)
        #expect(after.count == 8)
        #expect(after.map(Self.key).filter { $0 == "0.125 5" }.count == 1, "\(after.map(Self.key))")
        #expect(Self.key(after[after.count - 2]) == "0.125 5")
        let log = try String(contentsOf: directory.url.appendingPathComponent("runs.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").filter { $0 == "0.125 5" }.count == 1)
    }

    @Test func aRunningExperimentPicksUpParametersEnqueuedDuringTheRun() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // After the first trial, trials wait at a gate until the parameters are enqueued, however loaded the machine.
        try directory.write("t.py", Self.script.replacingOccurrences(of: "import json, os, sys, time\n", with: "import json, os, sys, time\n" + TrialGate.python(free: 1) + "\n"))
        try directory.write("q.yaml", Self.spec(trials: 12))
        try TrialGate.close(in: directory.url)
        let running = try ForageProcess.start(["run", "q.yaml"], in: directory.url, environment: ["SLEEP": "0.2"])
        for _ in 0..<600 {
            try await Task.sleep(for: .milliseconds(50))
            if ((try? Self.trials(directory)) ?? []).count >= 1 { break }
        }
        let added = try ForageProcess.run(["enqueue", "q", "--params", #"{"x": 0.75, "k": 4}"#], in: directory.url)
        try TrialGate.open(in: directory.url)
        #expect(added.stderr.contains("the run in progress starts them next"), "\(added.stderr)")
        running.process.waitUntilExit()
        #expect(running.process.terminationStatus == 0)
        let after = try Self.trials(directory)
        #expect(after.count == 12)
        #expect(after.map(Self.key).filter { $0 == "0.75 4" }.count == 1, "\(after.map(Self.key))")
    }

    @Test func aSpecEnqueueOutsideTheSpaceIsRefusedBeforeAnythingRuns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("t.py", Self.script)
        try directory.write("q.yaml", Self.spec(trials: 2, extra: "enqueue: [{x: 0.5, k: 9}]"))
        let run = try ForageProcess.run(["run", "q.yaml"], in: directory.url)
        #expect(run.status != 0)
        #expect(run.stderr.contains("enqueue[0].k"), "\(run.stderr)")
        #expect(run.stderr.contains("is 9, outside the space: allowed an integer in [1, 5]"), "\(run.stderr)")
    }
}
