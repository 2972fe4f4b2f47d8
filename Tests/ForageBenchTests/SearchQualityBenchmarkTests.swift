import ForageCore
import Testing

@testable import ForageBench
import ForageSearch

@Suite struct SearchQualityBenchmarkTests {
    @Test func aSmallRunFillsEveryCellAndPrintsATable() throws {
        let problems = SearchQualityBenchmark.problems.filter { $0.name == "branin" }
        let report = try SearchQualityBenchmark.run(
            trials: 20, seeds: 0..<2, checkpoints: [10, 20], problems: problems, timingCounts: [30])
        #expect(report.cells.count == SearchQualityBenchmark.searchers.count)
        for cell in report.cells {
            #expect(cell.regret.count == 2)
            #expect(cell.regret[1].median <= cell.regret[0].median + 1e-12, "\(cell.searcher): regret never grows")
            #expect(cell.regret.allSatisfy { $0.median >= 0 })
        }
        // every searcher (and the timed-only ones: grid, cfo, nsga2) at 30 trials
        #expect(report.timings.count == SearchQualityBenchmark.searchers.count + SearchQualityBenchmark.timingOnlySearchers.count)
        let table = report.table()
        #expect(table.contains("branin"))
        #expect(table.contains("regret@20"))
        #expect(table.contains("tpe-indep"))
        #expect(table.contains("30 trials"))
    }

    @Test func quartilesInterpolateLikeNumPy() {
        let summary = SearchQualityBenchmark.summary([4, 1, 3, 2])
        #expect(summary.median == 2.5)
        #expect(summary.q25 == 1.75)
        #expect(summary.q75 == 3.25)
    }

    @Test func problemsUseThePeerStudysDomains() throws {
        let names = SearchQualityBenchmark.problems.map(\.name)
        #expect(names == ["branin", "hartmann6", "rosenbrock10", "ackley5", "styblinski5"])
        let dimensions = SearchQualityBenchmark.problems.map(\.space.parameters.count)
        #expect(dimensions == [2, 6, 10, 5, 5])
        let styblinski = BenchmarkFunction.styblinskiTang([Double](repeating: -2.903_534, count: 5))
        #expect(abs(styblinski - BenchmarkFunction.styblinskiMinimum(dimensions: 5)) < 1e-6)
        // The known minima are reached at the known optima.
        let hartmann = try BenchmarkFunction.hartmann6.evaluate(ParameterSet(Dictionary(uniqueKeysWithValues: zip(
            (0..<6).map { "x\($0)" }, [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573].map(ParameterValue.double)))))
        #expect(abs(hartmann - (BenchmarkFunction.hartmann6.minimum ?? 0)) < 1e-4)
    }
}
