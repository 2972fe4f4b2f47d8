import ForageCore
import Testing

/// Non-dominated sorting, hypervolume, constraints and the multi-objective test problems.
@Suite struct ParetoTests {
    /// Ranks by the definition: a point's rank is 1 + the largest rank among the points dominating it.
    static func bruteForceRanks(_ points: [[Double]]) -> [Int] {
        var ranks = [Int](repeating: 0, count: points.count)
        var left = Set(points.indices)
        var rank = 1
        while !left.isEmpty {
            let front = left.filter { i in !left.contains { j in Pareto.dominates(points[j], points[i]) } }
            for i in front { ranks[i] = rank }
            left.subtract(front)
            rank += 1
        }
        return ranks
    }

    @Test(arguments: [2, 3]) func ranksMatchTheDefinition(objectives: Int) {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20 {
            // Coarse values make ties and duplicates common.
            let points = (0..<60).map { _ in (0..<objectives).map { _ in Double(Int(rng.nextUnit() * 6)) } }
            #expect(Pareto.ranks(points) == Self.bruteForceRanks(points))
            let fronts = Pareto.leadingFronts(points, covering: 25)
            let ranks = Self.bruteForceRanks(points)
            for (k, front) in fronts.enumerated() { #expect(Set(front) == Set(points.indices.filter { ranks[$0] == k + 1 })) }
            #expect(fronts.map(\.count).reduce(0, +) >= 25)
        }
    }

    @Test func hypervolumeOfKnownFronts() {
        // Two points in 2-D against (4, 4): 3×1 + 1×3 − 1×1 overlap = 5.
        #expect(Pareto.hypervolume([[1, 3], [3, 1]], reference: [4, 4]) == 5)
        // Dominated, duplicate and outside points add nothing.
        #expect(Pareto.hypervolume([[1, 3], [3, 1], [3, 3], [1, 3], [5, 0]], reference: [4, 4]) == 5)
        // 3-D: a unit cube corner and the union of two boxes.
        #expect(Pareto.hypervolume([[0, 0, 0]], reference: [1, 1, 1]) == 1)
        #expect(abs(Pareto.hypervolume([[0, 0.5, 0.5], [0.5, 0, 0]], reference: [1, 1, 1]) - (0.25 + 0.5 - 0.125)) < 1e-12)
        // Monte Carlo check of a random 3-D set.
        var rng = SplitMix64(seed: 5)
        let points = (0..<12).map { _ in (0..<3).map { _ in rng.nextUnit() } }
        var inside = 0
        let samples = 200_000
        for _ in 0..<samples {
            let p = (0..<3).map { _ in rng.nextUnit() }
            if points.contains(where: { q in zip(q, p).allSatisfy { $0 <= $1 } }) { inside += 1 }
        }
        #expect(abs(Pareto.hypervolume(points, reference: [1, 1, 1]) - Double(inside) / Double(samples)) < 0.01)
        #expect(Pareto.contributions([[1, 3], [3, 1], [2, 2]], reference: [4, 4]) == [1, 1, 1])
    }

    @Test func constraintsMeasureTheirViolation() throws {
        let le = try Constraint.parse("latency_ms <= 10").get()
        #expect(le.violation(10) == 0 && le.violation(12) == 2)
        let lt = try Constraint.parse("x < 1").get()
        #expect(lt.violation(1) > 0 && lt.violation(0.5) == 0)
        let ge = try Constraint.parse("acc>=0.9").get()
        #expect(ge.violation(0.8) > 0.0999 && ge.violation(0.95) == 0)
        #expect(ge.description == "acc >= 0.9")
        let goals = ObjectiveSet(objectives: [Objective(metric: "v", direction: .minimize)], constraints: [le, ge])
        #expect(goals.violation(in: ["latency_ms": 11, "acc": 0.5])! > 1.39)
        #expect(goals.violation(in: ["latency_ms": 9, "acc": 0.95]) == 0)
    }

    @Test func testProblemsReachTheirKnownFronts() throws {
        // On the front (x1… = 0) ZDT1 gives f2 = 1 − √f1, ZDT2 f2 = 1 − f1².
        let onFront = ParameterSet(["x0": .double(0.25), "x1": .double(0), "x2": .double(0)])
        #expect(try BenchmarkFunction.zdt1.metrics(onFront) == ["f1": 0.25, "f2": 0.5])
        #expect(try BenchmarkFunction.zdt2.metrics(onFront) == ["f1": 0.25, "f2": 0.9375])
        // DTLZ2 on its front (x(M-1)… = 0.5) lies on the unit sphere.
        let dtlz = try BenchmarkFunction.dtlz2.metrics(
            ParameterSet(["x0": .double(0.3), "x1": .double(0.7), "x2": .double(0.5), "x3": .double(0.5)]), objectives: 3)
        let norm = (dtlz["f1"]! * dtlz["f1"]! + dtlz["f2"]! * dtlz["f2"]! + dtlz["f3"]! * dtlz["f3"]!).squareRoot()
        #expect(abs(norm - 1) < 1e-12)
        let branin = try BenchmarkFunction.branin_constrained.metrics(ParameterSet(["x": .double(Double.pi), "y": .double(2.275)]))
        #expect(abs(branin["value"]! - 0.397887) < 1e-5 && branin["c1"]! <= 50)
        // Branin's other minima, (−π, 12.275) and (9.42478, 2.475), are infeasible.
        #expect(try BenchmarkFunction.branin_constrained.metrics(ParameterSet(["x": .double(-Double.pi), "y": .double(12.275)]))["c1"]! > 50)
        #expect(try BenchmarkFunction.branin_constrained.metrics(ParameterSet(["x": .double(9.42478), "y": .double(2.475)]))["c1"]! > 50)
    }
}
