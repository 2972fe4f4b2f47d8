import ForageTesting
import Foundation
import Testing

/// `status`, `trials` and `leaderboard` read a running experiment without blocking it, and a second `run`/`resume`
/// of it is refused while its owner lives.
@Suite struct LiveReadTests {
    @Test func readersSeeARunningExperimentAndASecondOwnerIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Trials wait for a file the test creates, so the experiment is running for as long as the test needs.
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {command: "while [ ! -f go ]; do sleep 0.02; done; echo '{\\"value\\": {x}}'"}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 40, parallel: 2}
            """)
        let running = try ForageProcess.start(["run", "s.yaml"], in: directory.url)
        var state: String?
        for _ in 0..<600 where state != "running" {
            try await Task.sleep(for: .milliseconds(50))
            let status = try ForageProcess.run(["status", "s", "--format", "json"], in: directory.url)
            guard status.status == 0 else { continue }
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            state = object?["state"] as? String
        }
        #expect(state == "running")
        #expect(try ForageProcess.run(["trials", "s"], in: directory.url).status == 0)
        #expect(try ForageProcess.run(["leaderboard", "s", "--top", "3"], in: directory.url).status == 0)
        let second = try ForageProcess.run(["resume", "s"], in: directory.url)
        #expect(second.status != 0)
        #expect(second.stderr.contains("is being run by pid \(running.process.processIdentifier)"), "\(second.stderr)")
        try directory.write("go", "")
        running.process.waitUntilExit()
        #expect(running.process.terminationStatus == 0)
        let final = try ForageProcess.run(["status", "s", "--format", "json"], in: directory.url)
        let done = try #require(try JSONSerialization.jsonObject(with: Data(final.stdout.utf8)) as? [String: Any])
        #expect(done["state"] as? String == "finished")
        #expect((done["counts"] as? [String: Any])?["completed"] as? Int == 40)
    }
}
