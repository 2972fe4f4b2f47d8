import ForageTesting
import Foundation
import Testing

/// `forage bench search --searchers … --problems …` runs only the named part of the comparison.
@Suite struct BenchSearchSelectionTests {
    @Test func onlyTheNamedSearchersAndFunctionsRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try ForageProcess.run(
            ["bench", "search", "--searchers", "random,sobol", "--problems", "branin", "--trials", "25", "--seeds", "2",
             "--long-trials", "0", "--warm-start-trials", "0", "--scheduler", "absent.yaml"], in: directory.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("branin") && result.stdout.contains("regret@25"), "\(result.stdout)")
        // The regret table (the suggestion-time table after it times every sampler).
        let rows = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .prefix { !$0.hasPrefix("suggestion time") }
        #expect(rows.contains("branin") && !rows.contains("hartmann6") && !rows.contains("rosenbrock10"), "\(result.stdout)")
        #expect(rows.contains { $0.hasPrefix("random ") } && rows.contains { $0.hasPrefix("sobol ") }, "\(result.stdout)")
        #expect(!rows.contains { $0.hasPrefix("tpe") || $0.hasPrefix("gp ") || $0.hasPrefix("cmaes ") }, "\(result.stdout)")
    }

    @Test func anUnknownNameIsRefusedWithTheKnownOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let searcher = try ForageProcess.run(["bench", "search", "--searchers", "gpp"], in: directory.url)
        #expect(searcher.status != 0)
        #expect(searcher.stderr.contains("--searchers: no gpp here; known: random, sobol, tpe-indep, tpe, cmaes, gp"), "\(searcher.stderr)")
        let problem = try ForageProcess.run(["bench", "search", "--problems", "branin,rastrigin"], in: directory.url)
        #expect(problem.status != 0)
        #expect(problem.stderr.contains("--problems: no rastrigin here"), "\(problem.stderr)")
    }
}
