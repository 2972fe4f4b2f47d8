import ForageTesting
import Foundation
import Testing

/// `forage trials`: the JSON `reason` of pruned trials, as the table shows it.
@Suite struct TrialsOutputTests {
    @Test func aPrunedTrialsJSONReasonIsItsStopDecision() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("p.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere, steps: 9}
            search_space: {x0: {type: float, low: -3, high: 3}, x1: {type: float, low: -3, high: 3}}
            searcher: {algorithm: random, seed: 4}
            scheduler: {algorithm: asha, resource: step, min: 1, max: 9, reduction: 3}
            budget: {trials: 12, parallel: 1}
            """)
        let run = try ForageProcess.run(["run", "p.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try ForageProcess.run(["trials", "p", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let trials = try #require(object["trials"] as? [[String: Any]])
        let pruned = trials.filter { $0["state"] as? String == "pruned" }
        #expect(!pruned.isEmpty)
        let table = try ForageProcess.run(["trials", "p", "--state", "pruned", "--format", "csv"], in: directory.url)
        for trial in pruned {
            let reason = try #require(trial["reason"] as? String, "pruned trial \(trial["number"] ?? "?") has no reason")
            let stop = (trial["decisions"] as? [[String: Any]])?.last { $0["action"] as? String == "stop" }
            #expect(reason == stop?["reason"] as? String)
            #expect(reason.contains("is not in the top 1/3"), "\(reason)")
            #expect(table.stdout.contains(reason), "\(table.stdout)")
        }
        for trial in trials where trial["state"] as? String == "completed" {
            #expect(trial["reason"] is NSNull)
        }
    }
}
