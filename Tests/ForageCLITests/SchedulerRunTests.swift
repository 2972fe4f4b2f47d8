import ForageTesting
import Foundation
import Testing

/// End-to-end: a run with ASHA stops trials early and says why, in the store and in `forage trials`.
@Suite struct SchedulerRunTests {
    @Test func ashaPrunesTrialsAndRecordsEachDecisionWithItsReason() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere, steps: 9}
            search_space:
              x0: {type: float, low: -3, high: 3}
              x1: {type: float, low: -3, high: 3}
            searcher: {algorithm: random, seed: 4}
            scheduler: {algorithm: asha, min: 1, max: 9, reduction: 3}
            budget: {trials: 30, parallel: 2}
            """)
        let run = try ForageProcess.run(["run", "a.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try ForageProcess.run(["trials", "a", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let trials = try #require(object["trials"] as? [[String: Any]])
        #expect(trials.count == 30)
        let pruned = trials.filter { $0["state"] as? String == "pruned" }
        #expect(!pruned.isEmpty)
        #expect(trials.contains { $0["state"] as? String == "completed" })
        for trial in pruned {
            let decisions = try #require(trial["decisions"] as? [[String: Any]])
            let stop = try #require(decisions.last { $0["action"] as? String == "stop" })
            #expect((stop["reason"] as? String)?.isEmpty == false)
            #expect(stop["rung"] is Int)
            #expect(stop["cutoff"] is Double)
            // A pruned trial stops at the step it was judged at, and keeps its last value.
            #expect(trial["last_step"] as? Int == stop["step"] as? Int)
            #expect(trial["value"] as? Double == stop["value"] as? Double)
        }
        let table = try ForageProcess.run(["trials", "a", "--state", "pruned"], in: directory.url)
        #expect(table.stdout.contains("rung"), "\(table.stdout)")
    }
}
