import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end tests of `warm_start:`: a run learns from another experiment's completed trials that fit its space
/// (a narrowed range drops the trials outside it; an added parameter keeps the rest), says so, and a missing
/// source refuses the run before the experiment exists.
@Suite(.serialized) struct WarmStartRunTests {
    static func spec(_ name: String, x: String, extra: String = "", searcher: String = "random", trials: Int) -> String {
        """
        name: \(name)
        objective: {metric: value, direction: minimize}
        trial: {function: branin}
        search_space:
          x: {type: float, low: -5, high: \(x)}
          y: {type: float, low: 0, high: 15}
        \(extra)
        searcher: {algorithm: \(searcher), seed: 7}
        budget: {trials: \(trials)}
        """
    }

    @Test func aRunLearnsFromTheTrialsThatFitItsNarrowedAndWidenedSpace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("old.yaml", Self.spec("old", x: "10", trials: 30))
        #expect(try ForageProcess.run(["run", "old.yaml"], in: directory.url).status == 0)
        let json = try ForageProcess.run(["trials", "old", "--format", "json"], in: directory.url)
        let old = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["trials"] as? [[String: Any]] ?? []
        let inside = old.filter { (($0["params"] as? [String: Any])?["x"] as? Double ?? 99) <= 5 }.count
        #expect(old.count == 30 && inside > 0 && inside < 30)

        for searcher in ["tpe", "cmaes", "gp"] {
            // x narrowed to [-5, 5] and a parameter z added.
            try directory.write("new-\(searcher).yaml", Self.spec(
                "new-\(searcher)", x: "5", extra: "  z: {type: int, low: 0, high: 3}\nwarm_start: {experiment: old}", searcher: searcher, trials: 5))
            let run = try ForageProcess.run(["run", "new-\(searcher).yaml"], in: directory.url)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stderr.contains(
                    "warm start: learning from \(inside) completed trials of 'old' (\(30 - inside) left out: a value outside this search space; \(inside) lack a parameter this space added)"),
                "\(run.stderr)")
        }
        // The resumed run learns from the same trials (the store is the memory).
        let resume = try ForageProcess.run(["resume", "new-tpe", "--trials", "6"], in: directory.url)
        #expect(resume.status == 0 && resume.stderr.contains("learning from \(inside) completed trials"), "\(resume.stderr)")
    }

    @Test func aMissingSourceRefusesTheRunBeforeTheExperimentExists() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("new.yaml", Self.spec("new", x: "10", extra: "warm_start: {experiment: nowhere}", trials: 3))
        let run = try ForageProcess.run(["run", "new.yaml"], in: directory.url)
        #expect(run.status != 0)
        #expect(run.stderr.contains("warm_start.experiment: no experiment 'nowhere' in the store"), "\(run.stderr)")
        let status = try ForageProcess.run(["status", "--format", "json"], in: directory.url)
        #expect(!status.stdout.contains("\"new\""), "\(status.stdout)")
    }
}
