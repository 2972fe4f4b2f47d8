import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end tests of ask/tell (`trial: {external: true}`): a search driven from a shell loop and from the Python
/// package, and the refusals of a `tell` for an expired or unknown trial.
@Suite(.serialized) struct AskTellTests {
    static func spec(_ name: String, extra: String = "", trial: String = "{external: true}") -> String {
        """
        name: \(name)
        objective: {metric: loss, direction: minimize}
        trial: \(trial)
        search_space: {x: {type: float, low: 0, high: 1}}
        searcher: {algorithm: tpe, seed: 3}
        budget: {trials: 30}
        \(extra)
        """
    }

    @Test func aShellLoopDrivesA30TrialTPESearch() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", Self.spec("s"))
        let created = try await ForageProcess.runDetached(["run", "s.yaml"], in: directory.url)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created external experiment 's'"))
        try directory.write("loop.sh", """
            F="$1"
            told=0
            while line=$("$F" ask s); do
              n=${line#trial }; n=${n%%:*}
              x=${line##*x=}
              loss=$(awk -v x="$x" 'BEGIN { printf "%.12g", (x - 0.3) ^ 2 }')
              "$F" tell s "$n" --metrics "{\\"loss\\": $loss}" > /dev/null || exit 1
              told=$((told + 1))
            done
            echo "told $told"
            """)
        // Two loops at once: each call waits for the other's to release the experiment.
        let binary = ForageProcess.binary.path
        let loop = try await ForageProcess.runShellDetached(
            "sh loop.sh '\(binary)' > a.out 2>&1 & sh loop.sh '\(binary)' > b.out 2>&1; wait; cat a.out b.out", in: directory.url)
        let told = loop.components(separatedBy: "told ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(told.count == 2 && told.reduce(0, +) == 30, "\(loop)")
        #expect(loop.contains("no trial to hand out:"), "\(loop)")
        let spent = try await ForageProcess.runDetached(["ask", "s"], in: directory.url)
        #expect(spent.status == 3)
        let trials = try await Self.trials("s", in: directory)
        #expect(trials.count == 30)
        #expect(Set(trials.compactMap { $0["number"] as? Int }).count == 30)
        #expect(trials.allSatisfy { $0["state"] as? String == "completed" && $0["worker"] as? String == "external" })
        let values = trials.compactMap { $0["value"] as? Double }
        // TPE after its 10 random start-up trials homes in on x = 0.3.
        #expect((values.min() ?? 1) < 0.001, "\(values)")
        let status = try await ForageProcess.runDetached(["status", "s", "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["state"] as? String == "finished")
    }

    @Test func thePythonStudyDrivesASearchWithASchedulerThatStopsSomeTrials() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("p.yaml", Self.spec("py", extra: "scheduler: {algorithm: asha, min: 1, max: 2, reduction: 2}"))
        #expect(try await ForageProcess.runDetached(["run", "p.yaml"], in: directory.url).status == 0)
        try directory.write("loop.py", """
            import sys
            import forage

            study = forage.Study("py", forage=sys.argv[1])
            told = stopped = 0
            while (trial := study.ask()) is not None:
                x = trial.params["x"]
                for step in range(1, 3):
                    if study.tell(trial, {"loss": (x - 0.3) ** 2 + (2 - step) * 0.05}, step=step) == "stop":
                        stopped += 1
                        break
                else:
                    study.tell(trial, {"loss": (x - 0.3) ** 2})
                told += 1
            print("told", told, "stopped", stopped)
            """)
        let python = ProcessInfo.processInfo.environment["FORAGE_TEST_PYTHON"] ?? ProcessInfo.processInfo.environment["FORAGE_PYTHON"] ?? "python3"
        // Two Python loops at once, as two notebook kernels would.
        // Bounded: a loop that never ends fails the test (its output shown) instead of holding the suite.
        let command = "PYTHONPATH='\(PythonPackageTests.packagePath)' timeout 300 '\(python)' loop.py '\(ForageProcess.binary.path)'"
        let output = try await ForageProcess.runShellDetached("\(command) > a.out 2>&1 & \(command) > b.out 2>&1; wait; cat a.out b.out", in: directory.url)
        let told = output.components(separatedBy: "told ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        let stoppedCounts = output.components(separatedBy: "stopped ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(told.count == 2 && told.reduce(0, +) == 30, "\(output)")
        let trials = try await Self.trials("py", in: directory)
        #expect(trials.count == 30)
        let pruned = trials.filter { $0["state"] as? String == "pruned" }.count
        let completed = trials.filter { $0["state"] as? String == "completed" }.count
        #expect(pruned > 0 && completed > 0 && pruned + completed == 30, "\(pruned) pruned, \(completed) completed")
        #expect(stoppedCounts.reduce(0, +) == pruned, "\(output)")
    }

    @Test func aTellForAnExpiredOrUnknownTrialIsRefusedAndTheRetryGetsTheSameParameters() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("e.yaml", Self.spec("e", trial: "{external: true, lease: 1s}"))
        #expect(try await ForageProcess.runDetached(["run", "e.yaml"], in: directory.url).status == 0)
        let asked = try await ForageProcess.runDetached(["ask", "e", "--format", "json"], in: directory.url)
        #expect(asked.status == 0, "\(asked.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(asked.stdout.utf8)) as? [String: Any])
        #expect(first["trial"] as? Int == 0)
        #expect(first["lease_s"] as? Double == 1)

        // Refusals that need a live trial use an experiment with the default lease (a loaded machine may take
        // longer than `e`'s 1 s between two calls).
        try directory.write("live.yaml", Self.spec("live"))
        #expect(try await ForageProcess.runDetached(["run", "live.yaml"], in: directory.url).status == 0)
        #expect(try await ForageProcess.runDetached(["ask", "live"], in: directory.url).status == 0)
        let unknown = try await ForageProcess.runDetached(["tell", "live", "99", "--metrics", #"{"loss": 1}"#], in: directory.url)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("experiment 'live' has no trial 99"), "\(unknown.stderr)")
        let missing = try await ForageProcess.runDetached(["tell", "live", "0", "--metrics", #"{"acc": 1}"#], in: directory.url)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("the metrics lack 'loss'"), "\(missing.stderr)")
        let badJSON = try await ForageProcess.runDetached(["tell", "live", "0", "--metrics", "loss=1"], in: directory.url)
        #expect(badJSON.status != 0)
        #expect(badJSON.stderr.contains("--metrics must be a JSON object of numbers"), "\(badJSON.stderr)")

        try await Task.sleep(for: .milliseconds(1500))
        let expired = try await ForageProcess.runDetached(["tell", "e", "0", "--metrics", #"{"loss": 1}"#], in: directory.url)
        #expect(expired.status == 1)
        #expect(expired.stderr.contains("trial 0 of 'e' expired"), "\(expired.stderr)")
        let retry = try await ForageProcess.runDetached(["ask", "e", "--format", "json"], in: directory.url)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(retry.stdout.utf8)) as? [String: Any])
        #expect(second["trial"] as? Int == 1)
        #expect(second["attempt"] as? Int == 2)
        #expect((second["params"] as? [String: Double]) == (first["params"] as? [String: Double]))
        let trials = try await Self.trials("e", in: directory)
        #expect(trials.first { $0["number"] as? Int == 0 }?["reason"] as? String == "lost-worker")
        #expect(trials.first { $0["number"] as? Int == 1 }?["retry_of"] as? Int == 0)
        let resume = try await ForageProcess.runDetached(["resume", "e"], in: directory.url)
        #expect(resume.status == 1)
        #expect(resume.stderr.contains("is external"), "\(resume.stderr)")
    }

    /// Ask/tell on the shared PostgreSQL store, as on a folder: a loop of asks and tells finishes the budget, and an
    /// asked trial outlives the `ask` that handed it out (a second ask gets the next trial, not the same one).
    @Test func askAndTellWorkOnAPostgresStore() async throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = ["FORAGE_STORE": try server.createDatabase("asktell")]
        #expect(try await ForageProcess.runDetached(["store", "migrate", store["FORAGE_STORE"] ?? ""], in: directory.url).status == 0)
        try directory.write("p.yaml", Self.spec("pgask").replacingOccurrences(of: "trials: 30", with: "trials: 12"))
        let created = try await ForageProcess.runDetached(["run", "p.yaml"], in: directory.url, environment: store)
        #expect(created.status == 0, "\(created.stderr)")
        let held = try await ForageProcess.runDetached(["ask", "pgask", "--format", "json"], in: directory.url, environment: store)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(held.stdout.utf8)) as? [String: Any], "\(held.stderr)")
        #expect(first["trial"] as? Int == 0)
        try directory.write("loop.sh", """
            told=0
            while line=$("$1" ask pgask); do
              n=${line#trial }; n=${n%%:*}
              x=${line##*x=}
              loss=$(awk -v x="$x" 'BEGIN { printf "%.12g", (x - 0.3) ^ 2 }')
              "$1" tell pgask "$n" --metrics "{\\"loss\\": $loss}" > /dev/null || exit 1
              told=$((told + 1))
            done
            "$1" tell pgask 0 --metrics '{"loss": 0.5}' > /dev/null && told=$((told + 1))
            echo "told $told"
            """)
        let loop = try await ForageProcess.runShellDetached(
            "FORAGE_STORE='\(store["FORAGE_STORE"] ?? "")' sh loop.sh '\(ForageProcess.binary.path)' 2>&1", in: directory.url)
        #expect(loop.contains("told 12"), "\(loop)")
        let json = try await ForageProcess.runDetached(["trials", "pgask", "--format", "json"], in: directory.url, environment: store)
        let trials = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["trials"] as? [[String: Any]] ?? []
        #expect(trials.count == 12 && Set(trials.compactMap { $0["number"] as? Int }) == Set(0..<12), "\(json.stdout)\(json.stderr)")
        #expect(trials.allSatisfy { $0["state"] as? String == "completed" })
        #expect(trials.first { $0["number"] as? Int == 0 }?["value"] as? Double == 0.5)
    }

    static func trials(_ name: String, in directory: TemporaryDirectory) async throws -> [[String: Any]] {
        let json = try await ForageProcess.runDetached(["trials", name, "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }
}
