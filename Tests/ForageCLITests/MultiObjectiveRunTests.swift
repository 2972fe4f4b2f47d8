import ForageCore
import ForageTesting
import Foundation
import Testing

/// End to end: a two-objective command experiment with a constraint, killed with -9 and resumed; its Pareto
/// leaderboard against the values in `trials --format json`; status, promote and the built-in test problems.
@Suite struct MultiObjectiveRunTests {
    static let script = """
        import json, os, sys, time
        x = float(sys.argv[1]); y = float(sys.argv[2])
        \(TrialGate.python(free: 4))
        time.sleep(0.2)
        os.makedirs(os.environ["FORAGE_TRIAL_DIR"], exist_ok=True)
        open(os.path.join(os.environ["FORAGE_TRIAL_DIR"], "model.bin"), "w").write("m")
        # accuracy rises with x and y, latency with x; the constraint keeps latency_ms <= 8.
        print(json.dumps({"acc": 0.5 + 0.3 * x + 0.2 * y * (1 - x), "latency_ms": 1 + 10 * x * x + y, "size_kb": 100 * y}))
        """

    static let spec = """
        name: mo
        objectives:
          - {metric: acc, direction: maximize}
          - {metric: latency_ms, direction: minimize}
        constraints: ["latency_ms <= 8"]
        trial: {command: [python3, t.py, "{x}", "{y}"]}
        search_space:
          x: {type: float, low: 0, high: 1}
          y: {type: float, low: 0, high: 1}
        searcher: {algorithm: tpe, seed: 4, n_startup: 6}
        budget: {trials: 18, parallel: 2}
        """

    func trials(_ directory: TemporaryDirectory) throws -> [[String: Any]] {
        let json = try ForageProcess.run(["trials", "mo", "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }

    @Test func killedAndResumedItsParetoLeaderboardListsExactlyTheNonDominatedFeasibleTrials() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("t.py", Self.script)
        try directory.write("mo.yaml", Self.spec)
        try TrialGate.close(in: directory.url)
        let running = try ForageProcess.start(["run", "mo.yaml"], in: directory.url)
        for _ in 0..<600 {
            try await Task.sleep(for: .milliseconds(50))
            if ((try? trials(directory)) ?? []).filter({ $0["state"] as? String == "completed" }).count >= 4 { break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        try TrialGate.open(in: directory.url)
        let before = try trials(directory).filter { $0["state"] as? String == "completed" }.count
        #expect(before >= 4 && before < 18)
        let resume = try ForageProcess.run(["resume", "mo"], in: directory.url)
        #expect(resume.status == 0, "\(resume.stderr)")

        // Every completed trial carries its values and feasibility; count and recompute the front from them.
        let completed = try trials(directory).filter { $0["state"] as? String == "completed" }
        #expect(completed.count == 18)
        var points: [Int: (acc: Double, latency: Double)] = [:]
        var infeasible = 0
        for trial in completed {
            let values = try #require(trial["values"] as? [Double])
            let metrics = try #require(trial["metrics"] as? [String: Double])
            #expect(values == [metrics["acc"]!, metrics["latency_ms"]!])
            let feasible = try #require(trial["feasible"] as? Bool)
            #expect(feasible == (values[1] <= 8))
            if feasible { points[trial["number"] as! Int] = (values[0], values[1]) } else { infeasible += 1 }
        }
        #expect(infeasible > 0, "the search should try some infeasible points")
        let expected = Set(points.keys.filter { i in
            !points.contains { j, q in
                j != i && q.acc >= points[i]!.acc && q.latency <= points[i]!.latency && (q.acc > points[i]!.acc || q.latency < points[i]!.latency)
            }
        })
        let csv = try ForageProcess.run(["leaderboard", "mo", "--pareto", "--format", "csv"], in: directory.url)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "rank,trial,front,acc,latency_ms,feasible,x,y,size_kb,duration_s")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(Set(rows.compactMap { Int($0[1]) }) == expected)
        #expect(rows.allSatisfy { $0[2] == "1" && $0[5] == "yes" })
        // Inside the front, the first objective (accuracy, maximised) orders.
        let accuracies = rows.compactMap { Double($0[3]) }
        #expect(accuracies == accuracies.sorted(by: >))

        // The full leaderboard: fronts ascending, infeasible trials last with no front.
        let full = try ForageProcess.run(["leaderboard", "mo", "--format", "csv"], in: directory.url)
        let fullRows = full.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(fullRows.count == 18)
        #expect(fullRows.suffix(infeasible).allSatisfy { $0[2].isEmpty && $0[5] == "no" })
        let fronts = fullRows.prefix(18 - infeasible).compactMap { Int($0[2]) }
        #expect(fronts == fronts.sorted() && fronts.first == 1)

        // status: the front's size and hypervolume.
        let status = try ForageProcess.run(["status", "mo", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let pareto = try #require(object["pareto"] as? [String: Any])
        #expect(pareto["front_size"] as? Int == expected.count)
        #expect((pareto["hypervolume"] as? Double ?? 0) > 0)
        let table = try ForageProcess.run(["status", "mo"], in: directory.url)
        #expect(table.stdout.contains("pareto      \(expected.count) trial"), "\(table.stdout)")

        // The HTML report: the table has the front, both objectives and feasibility, in leaderboard order, and
        // the page draws the front and the hypervolume.
        let html = try ForageProcess.run(["leaderboard", "mo", "--format", "html", "--output", "mo.html"], in: directory.url)
        #expect(html.status == 0, "\(html.stderr)")
        let page = try String(contentsOf: directory.url.appendingPathComponent("mo.html"), encoding: .utf8)
        let headers = page.components(separatedBy: "<th data-type=").dropFirst().compactMap { $0.split(separator: ">").dropFirst().first?.split(separator: "<").first.map(String.init) }
        #expect(Array(headers.prefix(6)) == ["rank", "trial", "front", "acc", "latency_ms", "feasible"], "\(headers)")
        #expect(page.contains("plot-pareto-0") && page.contains("plot-hypervolume"))
        #expect(page.contains("Ranked by Pareto front"))

        // promote: the front's best accuracy, said so; an infeasible trial is refused.
        let bestAccuracy = try #require(rows.first.flatMap { Int($0[1]) })
        let promote = try ForageProcess.run(["promote", "mo", "--model", "m"], in: directory.url)
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(promote.stdout.contains("trial \(bestAccuracy) ") && promote.stdout.contains("chosen from the Pareto front"), "\(promote.stdout)")
        let infeasibleTrial = try #require(completed.first { $0["feasible"] as? Bool == false }?["number"] as? Int)
        let refused = try ForageProcess.run(["promote", "mo", "--model", "m", "--trial", "\(infeasibleTrial)"], in: directory.url)
        #expect(refused.status != 0 && refused.stderr.contains("infeasible"), "\(refused.stderr)")
    }

    @Test func builtInTestProblemsRunWithEveryMultiObjectiveSampler() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (name, searcher) in [("zdt1", "tpe"), ("dtlz2", "random")] {
            let objectives = name == "dtlz2" ? 3 : 2
            let list = (1...objectives).map { "{metric: f\($0), direction: minimize}" }.joined(separator: ", ")
            try directory.write("\(name).yaml", """
                objectives: [\(list)]
                trial: {function: \(name)\(name == "dtlz2" ? ", objectives: 3" : "")}
                search_space: {x0: {type: float, low: 0, high: 1}, x1: {type: float, low: 0, high: 1}, x2: {type: float, low: 0, high: 1}}
                searcher: {algorithm: \(searcher), seed: 1}
                budget: {trials: 40}
                """)
            let run = try ForageProcess.run(["run", "\(name).yaml"], in: directory.url)
            #expect(run.status == 0, "\(run.stderr)")
            let board = try ForageProcess.run(["leaderboard", name, "--pareto", "--format", "json"], in: directory.url)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(board.stdout.utf8)) as? [String: Any])
            let trials = try #require(object["trials"] as? [[String: Any]])
            #expect(!trials.isEmpty && trials.allSatisfy { ($0["values"] as? [Double])?.count == objectives && $0["front"] as? Int == 1 })
        }
        try directory.write("cb.yaml", """
            objective: {metric: value, direction: minimize}
            constraints: ["c1 <= 50"]
            trial: {function: branin_constrained}
            search_space: {x: {type: float, low: -5, high: 10}, y: {type: float, low: 0, high: 15}}
            searcher: {algorithm: tpe, seed: 2}
            budget: {trials: 40}
            """)
        #expect(try ForageProcess.run(["run", "cb.yaml"], in: directory.url).status == 0)
        let status = try ForageProcess.run(["status", "cb", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let best = try #require(object["best"] as? [String: Any])
        #expect(best["feasible"] as? Bool == true)
        #expect(((best["metrics"] as? [String: Double])?["c1"] ?? 99) <= 50)
    }
}
