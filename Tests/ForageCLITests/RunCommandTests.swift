import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end: the `forage` binary, as a user runs it.
@Suite struct RunCommandTests {
    static let hartmann = """
        name: h6
        objective: {metric: value, direction: minimize}
        trial: {function: hartmann6}
        search_space:
          x0: {type: float, low: 0, high: 1}
          x1: {type: float, low: 0, high: 1}
          x2: {type: float, low: 0, high: 1}
          x3: {type: float, low: 0, high: 1}
          x4: {type: float, low: 0, high: 1}
          x5: {type: float, low: 0, high: 1}
        searcher: {algorithm: random, seed: 5}
        budget: {trials: 300, parallel: 2}
        """

    @Test func aRandomHartmannSearchLeavesAnExactCSVLeaderboard() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("h6.yaml", Self.hartmann)
        let run = try ForageProcess.run(["run", "h6.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("finished: 300/300 trials"))

        let csv = try ForageProcess.run(["leaderboard", "h6", "--format", "csv"], in: directory.url)
        #expect(csv.status == 0)
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 301)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(Array(header.prefix(3)) == ["rank", "trial", "value"])
        #expect(Array(header[3..<9]) == ["x0", "x1", "x2", "x3", "x4", "x5"])
        var previous = -Double.infinity
        var trialNumbers = Set<Int>()
        for (index, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",").map(String.init)
            #expect(Int(cells[0]) == index + 1)
            trialNumbers.insert(Int(cells[1]) ?? -1)
            let value = try #require(Double(cells[2]))
            let x = cells[3..<9].compactMap(Double.init)
            #expect(x.count == 6)
            #expect(BenchmarkFunction.hartmann6(x) == value)
            #expect(value >= previous)
            previous = value
        }
        #expect(trialNumbers.count == 300)

        let again = try ForageProcess.run(["run", "h6.yaml"], in: directory.url)
        #expect(again.status != 0)
        #expect(again.stderr.contains("forage resume h6"))
    }

    @Test func machineFormatsPrintOnlyJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere, steps: 3}
            search_space: {x0: {type: float, low: -1, high: 1}}
            budget: {trials: 4}
            """)
        #expect(try ForageProcess.run(["run", "s.yaml"], in: directory.url).status == 0)
        let status = try ForageProcess.run(["status", "s", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "finished")
        #expect((object["counts"] as? [String: Any])?["completed"] as? Int == 4)
        let trials = try ForageProcess.run(["trials", "s", "--format", "json"], in: directory.url)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(trials.stdout.utf8)) as? [String: Any])
        let entries = try #require(list["trials"] as? [[String: Any]])
        #expect(entries.count == 4)
        #expect(entries.allSatisfy { $0["last_step"] as? Int == 3 })
        let markdown = try ForageProcess.run(["leaderboard", "s", "--format", "markdown"], in: directory.url)
        #expect(markdown.stdout.hasPrefix("| rank | trial | value | x0 |"))
    }

    /// Each bad spec exits non-zero with `error:` naming the file or key, and leaves the store untouched.
    @Test(arguments: [
        ("objective: {metric: value, direction: minimize}\ntrial: {function: noop}\nsearch_space: {x: {type: float, low: 0, high: 1}}\nbudget: {paralel: 2}", "budget.paralel"),
        ("", "is empty"),
        ("objective: [unclosed", "not valid YAML"),
        ("objective: {metric: value, direction: minimize}\ntrial: {function: noop}\nsearch_space: {x: {type: float, low: 0, high: 1}}\nsearcher: {algorithm: bayes}", "searcher.algorithm"),
        ("trial: {function: noop}\nsearch_space: {x: {type: float, low: 0, high: 1}}", "objective"),
        ("objective: {metric: value, direction: minimize}\ntrial: {function: noop}\nsearch_space: {x: {type: float, low: 0, high: 1}}\nbudget: {trials: -1}", "budget.trials"),
    ])
    func badSpecsFailCleanly(text: String, fragment: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("good.yaml", "objective: {metric: value, direction: minimize}\ntrial: {function: noop}\nsearch_space: {x: {type: float, low: 0, high: 1}}\nbudget: {trials: 2}")
        #expect(try ForageProcess.run(["run", "good.yaml"], in: directory.url).status == 0)
        try directory.write("bad.yaml", text)
        let result = try ForageProcess.run(["run", "bad.yaml"], in: directory.url)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(result.stderr.contains("bad.yaml"))
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        let status = try ForageProcess.run(["status"], in: directory.url)
        #expect(status.stdout.contains("good") && status.stdout.contains("finished"))
        #expect(!status.stdout.contains("bad"))
    }

    @Test func aMissingSpecFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try ForageProcess.run(["run", "nope.yaml"], in: directory.url)
        #expect(result.status != 0)
        #expect(result.stderr == "error: nope.yaml: no such file\n")
    }
}
