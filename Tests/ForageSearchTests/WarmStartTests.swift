import ForageCore
@testable import ForageSearch
import Testing

/// Warm starts (`warm_start:`): another experiment's trials fitted to a changed space, and samplers that learn from
/// them instead of falling back to random search when a range narrowed or a parameter was added (optuna#6299).
@Suite struct WarmStartTests {
    static let x = Parameter(name: "x", distribution: .float(low: 0, high: 1, log: false, step: nil))
    static let y = Parameter(name: "y", distribution: .float(low: 0, high: 1, log: false, step: nil))

    /// 40 trials of an older space with only `x` (on a grid over [0, 1]), with their optimum at `x = 0.2`.
    static var onlyX: [(params: ParameterSet, value: Double)] {
        (0..<40).map { k in
            let x = (Double(k) + 0.5) / 40
            return (ParameterSet(["x": .double(x)]), (x - 0.2) * (x - 0.2))
        }
    }

    @Test func outOfRangeTrialsAreDroppedRemovedParametersIgnoredAndAddedOnesLeftMissing() {
        let narrowed = SearchSpace([Parameter(name: "x", distribution: .float(low: 0, high: 0.5, log: false, step: nil)), Self.y])
        let source: [(params: ParameterSet, value: Double)] = [
            (ParameterSet(["x": .double(0.25), "y": .double(0.5), "gone": .int(3)]), 1),
            (ParameterSet(["x": .double(0.75), "y": .double(0.5)]), 2),
            (ParameterSet(["x": .int(0)]), 3),
            (ParameterSet(["x": .double(0.1)]), .nan),
        ]
        let warm = WarmStart(source: source, space: narrowed)
        #expect(warm.trials.map(\.params) == [
            ParameterSet(["x": .double(0.25), "y": .double(0.5)]), ParameterSet(["x": .double(0)]),
        ])
        #expect(warm.trials.map(\.number) == [-1, -2])
        #expect(warm.trials.allSatisfy { $0.isWarmStart && $0.state == .completed })
        #expect(warm.outside == 1)
        #expect(warm.partial == 1)
    }

    /// The distance from 0.2 of the median `x` TPE proposes over 16 draws, with no trial of its own yet.
    func medianDistance(_ sampler: any Sampler, space: SearchSpace) -> Double {
        let history = TrialHistory(objective: TestSupport.objective)
        let distances = (0..<16).compactMap { sampler.suggest(index: $0, space: space, history: history)?["x"]?.doubleValue }.map { abs($0 - 0.2) }
        return distances.sorted()[distances.count / 2]
    }

    @Test func tpeLearnsXFromTrialsThatLackANewlyAddedParameter() throws {
        let space = SearchSpace([Self.x, Self.y])
        let warm = WarmStart(source: Self.onlyX, space: space)
        #expect(warm.partial == 40)
        let tpe = try TPESampler(seed: 1)
        let warmed = medianDistance(WarmStartedSampler(base: tpe, warm: warm), space: space)
        let cold = medianDistance(tpe, space: space)
        // Random draws over [0, 1] sit about 0.3 from 0.2; a model of x alone puts them close to it.
        #expect(warmed < 0.08, "warm \(warmed), cold \(cold)")
        #expect(cold > 0.15, "warm \(warmed), cold \(cold)")
        // y, which no warm trial has, is still drawn over its whole range.
        let ys = (0..<16).compactMap { WarmStartedSampler(base: tpe, warm: warm).suggest(index: $0, space: space, history: TrialHistory(objective: TestSupport.objective))?["y"]?.doubleValue }
        #expect((ys.max() ?? 0) - (ys.min() ?? 0) > 0.5)
    }

    @Test func cmaesStartsFromTheWarmTrialsBestRegion() {
        let space = SearchSpace([Self.x, Self.y])
        let source: [(params: ParameterSet, value: Double)] = (0..<100).map { k in
            let x = (Double(k % 10) + 0.5) / 10
            let y = (Double(k / 10) + 0.5) / 10
            return (ParameterSet(["x": .double(x), "y": .double(y)]), (x - 0.85) * (x - 0.85) + (y - 0.85) * (y - 0.85))
        }
        let warm = WarmStart(source: source, space: space)
        let cmaes = CMAESSampler(seed: 2)
        let history = TrialHistory(objective: TestSupport.objective)
        func meanDistance(_ sampler: any Sampler) -> Double {
            let points = (0..<20).compactMap { sampler.suggest(index: $0, space: space, history: history) }
            return points.map { p in ((p["x"]!.doubleValue! - 0.85) * (p["x"]!.doubleValue! - 0.85) + (p["y"]!.doubleValue! - 0.85) * (p["y"]!.doubleValue! - 0.85)).squareRoot() }
                .reduce(0, +) / Double(points.count)
        }
        let warmed = meanDistance(WarmStartedSampler(base: cmaes, warm: warm))
        let cold = meanDistance(cmaes)
        #expect(warmed < 0.15, "warm \(warmed), cold \(cold)")
        #expect(cold > 0.3, "warm \(warmed), cold \(cold)")
    }
}
