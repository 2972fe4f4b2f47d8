import ForageCore
import ForageTesting
import Foundation
import Testing

/// End-to-end: the `cmaes` and `gp` searchers run from a spec, resume continues them, and a bad option is refused in
/// Forage's words.
@Suite struct NewSamplerRunTests {
    static func spec(_ searcher: String, trials: Int) -> String {
        """
        name: s
        objective: {metric: value, direction: minimize}
        trial: {function: styblinski}
        search_space:
          x0: {type: float, low: -5, high: 5}
          x1: {type: float, low: -5, high: 5}
          x2: {type: int, low: -5, high: 5}
        searcher: \(searcher)
        budget: {trials: \(trials)}
        """
    }

    @Test(arguments: [
        "{algorithm: cmaes, seed: 3, popsize: 6}", "{algorithm: cmaes, seed: 3, diagonal: false, sampling: iid}", "{algorithm: gp, seed: 3, n_startup: 4, n_candidates: 64}",
    ])
    func runsAndResumesToTheNewTotal(searcher: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", Self.spec(searcher, trials: 8))
        let run = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("finished: 8/8 trials"))
        let resumed = try ForageProcess.run(["resume", "s", "--trials", "12"], in: directory.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let csv = try ForageProcess.run(["leaderboard", "s", "--format", "csv"], in: directory.url)
        let rows = csv.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 12)
        for row in rows {
            let cells = row.split(separator: ",").map(String.init)
            let x = try #require(Double(cells[3])), y = try #require(Double(cells[4])), z = try #require(Int(cells[5]))
            #expect((-5...5).contains(x) && (-5...5).contains(y) && (-5...5).contains(z))
            #expect(abs(BenchmarkFunction.styblinskiTang([x, y, Double(z)]) - (Double(cells[2]) ?? .nan)) < 1e-9)
        }
    }

    @Test func aBadSamplerOptionNamesTheKeyAndWhatIsAllowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", Self.spec("{algorithm: cmaes, sigma: 0.3}", trials: 4))
        let run = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(run.status != 0)
        #expect(run.stderr.contains("searcher.sigma: unknown key (did you mean 'sigma0'?); allowed: algorithm, seed, sigma0, popsize, restarts"), "\(run.stderr)")
    }
}
