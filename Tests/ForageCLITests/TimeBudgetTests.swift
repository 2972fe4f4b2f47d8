import ForageTesting
import Foundation
import Testing

/// End-to-end: `budget.time` stops starting trials at the deadline (alone and with a trial count), a gbdt trial
/// still training then completes with the model it has and says so, and bad durations are spec errors.
@Suite struct TimeBudgetTests {
    private func trials(_ name: String, in directory: URL) throws -> [[String: Any]] {
        let json = try ForageProcess.run(["trials", name, "--format", "json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        return try #require(object["trials"] as? [[String: Any]])
    }

    private func status(_ name: String, in directory: URL) throws -> [String: Any] {
        let json = try ForageProcess.run(["status", name, "--format", "json"], in: directory)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    }

    @Test func timeAloneStopsStartingTrialsAndFinishesTheExperiment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sleep}
            search_space:
              seconds: {type: categorical, choices: [0.3]}
            searcher: {algorithm: random, seed: 1}
            budget: {time: 1.5s}
            """)
        let clock = ContinuousClock()
        let start = clock.now
        let run = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        let elapsed = start.duration(to: clock.now)
        #expect(run.status == 0, "\(run.stderr)")
        let all = try trials("s", in: directory.url)
        // 0.3 s trials in 1.5 s: five start before the deadline (a sixth may start right at it on a slow machine).
        #expect((3...6).contains(all.count), "\(all.count) trials")
        #expect(all.allSatisfy { $0["state"] as? String == "completed" })
        // The last trial started before the deadline and finished: the run ends within one trial of it.
        #expect(elapsed < .seconds(6), "\(elapsed)")
        let state = try status("s", in: directory.url)
        #expect(state["state"] as? String == "finished", "\(state)")
        #expect("\(run.stdout)\(run.stderr)".contains("budget.time of 1.5 s reached"), "\(run.stdout)\(run.stderr)")
    }

    @Test func theTrialCountStillCapsATimedSearch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sleep}
            search_space:
              seconds: {type: categorical, choices: [0.05]}
            budget: {time: 60s, trials: 3, parallel: 2}
            """)
        let run = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try trials("s", in: directory.url).count == 3)
        let state = try status("s", in: directory.url)
        #expect(state["state"] as? String == "finished")
        #expect((state["budget"] as? [String: Any])?["trials"] as? Int == 3)
    }

    @Test func aModelTrialStillTrainingAtTheDeadlineCompletesWithTheModelItHas() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var rows = ["a,b,label"]
        for i in 0..<300 {
            let a = Double((i * 37) % 100) / 100
            let b = Double((i * 11) % 50) / 50
            rows.append("\(a),\(b),\(a + b > 1 ? "yes" : "no")")
        }
        try directory.write("data.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("g.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: gbdt}
            data: {path: data.csv, target: label, task: classification, seed: 1}
            search_space:
              rounds: {type: categorical, choices: [100000]}
              learning_rate: {type: categorical, choices: [0.001]}
              report_every: {type: categorical, choices: [5]}
            budget: {time: 1s, trials: 5}
            refit: false
            """)
        let clock = ContinuousClock()
        let start = clock.now
        let run = try ForageProcess.run(["run", "g.yaml"], in: directory.url)
        let elapsed = start.duration(to: clock.now)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(elapsed < .seconds(8), "\(elapsed)")
        let all = try trials("g", in: directory.url)
        #expect(all.count == 1, "\(all)")
        let trial = try #require(all.first)
        #expect(trial["state"] as? String == "completed", "\(trial)")
        let metrics = trial["metrics"] as? [String: Any] ?? [:]
        #expect(metrics["stopped_at_deadline"] as? Double == 1, "\(metrics)")
        #expect((metrics["val_accuracy"] as? Double ?? 0) > 0.5, "\(metrics)")
        // The rounds it kept are fewer than asked for, and its model predicts.
        let rounds = try #require(trial["last_step"] as? Int)
        #expect(rounds > 0 && rounds < 100_000)
        try directory.write("x.csv", "a,b\n0.9,0.9\n0.1,0.1\n")
        let predict = try ForageProcess.run(["predict", "g/0", "--input", "x.csv"], in: directory.url)
        #expect(predict.status == 0, "\(predict.stderr)")
        #expect(predict.stdout.split(separator: "\n").count == 3, "\(predict.stdout)")
    }

    @Test(arguments: [
        ("soon", "expected a duration such as 30s, 5m or 2h, found 'soon'"),
        ("0s", "must be positive"),
        ("-5s", "must be positive"),
        ("[1, 2]", "expected a duration such as 30s, 5m or 2h, found a list"),
    ])
    func badDurationsAreSpecErrors(value: String, message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sleep}
            search_space:
              seconds: {type: categorical, choices: [0.01]}
            budget: {time: \(value)}
            """)
        let run = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(run.status != 0)
        #expect(run.stderr.contains("budget.time"), "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }
}
