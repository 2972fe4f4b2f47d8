import ForageCore
import ForageReport
import ForageStore
import Testing

/// The report's Pareto scatter and hypervolume curve.
@Suite struct ParetoPlotTests {
    static let goals = ObjectiveSet(
        objectives: [Objective(metric: "acc", direction: .maximize), Objective(metric: "ms", direction: .minimize)],
        constraints: [Constraint(metric: "ms", comparison: .lessOrEqual, bound: 10)])

    static let points = [
        ObjectivePoint(number: 0, values: [0.8, 2], violation: 0), ObjectivePoint(number: 1, values: [0.9, 5], violation: 0),
        ObjectivePoint(number: 2, values: [0.85, 6], violation: 0), ObjectivePoint(number: 3, values: [0.99, 20], violation: 10),
    ]

    @Test func frontPointsAreSolidDominatedFadedAndInfeasibleCrossed() {
        let ranking = FrontRanking(points: Self.points, goals: Self.goals)
        let svg = ParetoPlot(points: Self.points, ranking: ranking, goals: Self.goals).render()
        #expect(svg.components(separatedBy: "class=\"pt-front\"").count - 1 == 2)
        #expect(svg.components(separatedBy: "class=\"pt-dom\"").count - 1 == 1)
        #expect(svg.components(separatedBy: "class=\"pt-inf\"").count - 1 == 1)
        #expect(svg.contains("trial 3 · infeasible"))
    }

    @Test func threeObjectivesGetOnePanelPerPair() {
        let goals = ObjectiveSet(objectives: ["a", "b", "c"].map { Objective(metric: $0, direction: .minimize) })
        let points = (0..<5).map { ObjectivePoint(number: $0, values: [Double($0), Double(4 - $0), 1], violation: nil) }
        let svg = ParetoPlot(points: points, ranking: FrontRanking(points: points, goals: goals), goals: goals).render()
        #expect(svg.contains("plot-pareto-0") && svg.contains("plot-pareto-1") && svg.contains("plot-pareto-2"))
        #expect(!svg.contains("plot-pareto-3"))
    }

    @Test func hypervolumeOnlyRisesAndEndsAtTheFrontsVolume() {
        let ranking = FrontRanking(points: Self.points, goals: Self.goals)
        let curve = HypervolumePlot(points: Self.points, ranking: ranking, goals: Self.goals).curve()
        #expect(curve.map(\.1) == curve.map(\.1).sorted())
        #expect(abs((curve.last?.1 ?? 0) - ranking.hypervolume()) < 1e-12)
        #expect(curve.last?.0 == 3)
    }
}
