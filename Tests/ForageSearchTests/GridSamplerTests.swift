import ForageCore
import Testing

@testable import ForageSearch

@Suite struct GridSamplerTests {
    let empty = TrialHistory(objective: TestSupport.objective)

    @Test func enumeratesEveryCombinationInOrderThenIsExhausted() throws {
        let space = SearchSpace([
            Parameter(name: "a", distribution: .categorical(choices: [.string("p"), .string("q")])),
            Parameter(name: "b", distribution: .float(low: 0, high: 1, log: false, step: nil)),
        ])
        let grid = try GridSampler(space: space, points: 3)
        #expect(grid.count == 6)
        let points = (0..<6).compactMap { grid.suggest(index: $0, space: space, history: empty) }
        let expected: [(String, Double)] = [("p", 0), ("p", 0.5), ("p", 1), ("q", 0), ("q", 0.5), ("q", 1)]
        #expect(points.count == 6)
        for (point, (a, b)) in zip(points, expected) {
            #expect(point["a"] == .string(a))
            #expect(point["b"] == .double(b))
        }
        #expect(grid.suggest(index: 6, space: space, history: empty) == nil)
        #expect(grid.suggest(index: 100, space: space, history: empty) == nil)
    }

    @Test func explicitValuesWinOverPoints() throws {
        let space = SearchSpace([
            Parameter(name: "lr", distribution: .float(low: 1e-4, high: 1, log: true, step: nil), gridValues: [.double(0.01), .double(0.1)]),
            Parameter(name: "n", distribution: .int(low: 1, high: 3, log: false, step: 1)),
        ])
        let grid = try GridSampler(space: space, points: 10)
        #expect(grid.count == 6)
        let lrs = Set((0..<6).compactMap { grid.suggest(index: $0, space: space, history: empty)?["lr"] })
        #expect(lrs == [.double(0.01), .double(0.1)])
    }

    @Test func conditionalChildrenAreEnumeratedOnlyWhenActive() throws {
        let space = SearchSpace([
            Parameter(name: "model", distribution: .categorical(choices: [.string("a"), .string("b")])),
            Parameter(
                name: "l2", distribution: .float(low: 0, high: 1, log: false, step: nil), condition: ["model": [.string("b")]],
                gridValues: [.double(0.1), .double(0.2)]),
            Parameter(name: "n", distribution: .int(low: 1, high: 2, log: false, step: 1)),
        ])
        let grid = try GridSampler(space: space, points: 5)
        // model a: 2 values of n; model b: 2 values of l2 × 2 of n.
        #expect(grid.count == 6)
        let points = (0..<grid.count).compactMap { grid.suggest(index: $0, space: space, history: empty) }
        #expect(Set(points).count == 6)
        #expect(points.allSatisfy(space.isValid))
        #expect(points.filter { $0["l2"] == nil }.count == 2)
        #expect(grid.suggest(index: 6, space: space, history: empty) == nil)
    }

    @Test func refusesAGridThatIsTooLarge() {
        let space = SearchSpace((0..<7).map { Parameter(name: "x\($0)", distribution: .float(low: 0, high: 1, log: false, step: nil)) })
        do {
            _ = try GridSampler(space: space, points: 10)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("10000000"), "\(error)")
        }
    }

    @Test func refusesExplicitValuesOutsideTheDistribution() {
        let space = SearchSpace([
            Parameter(name: "n", distribution: .int(low: 1, high: 3, log: false, step: 1), gridValues: [.int(5)])
        ])
        #expect(throws: SamplerError.self) { try GridSampler(space: space, points: 3) }
    }
}
