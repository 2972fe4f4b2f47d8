import ForageBackends
import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

/// The store contract for several objectives and constraints, over every backend: each completed trial's values and
/// violation are stored and read back, the experiment's goals survive a reopen, and listings rank by Pareto front.
@Suite struct ObjectiveValuesContractTests {
    static let goals = ObjectiveSet(
        objectives: [Objective(metric: "acc", direction: .maximize), Objective(metric: "latency", direction: .minimize)],
        constraints: [Constraint(metric: "latency", comparison: .lessOrEqual, bound: 10)])

    static func spec() -> ExperimentSpec {
        var spec = StoreContractTests.spec("multi")
        spec.goals = goals
        return spec
    }

    /// Finishes trial `number` with accuracy `acc` and latency `latency`.
    static func complete(_ store: any ExperimentStore, _ lease: OwnerLease, _ number: Int, acc: Double, latency: Double) async throws {
        store.startTrial(lease, TrialStart(number: number, draw: number, params: ParameterSet(["a": .double(acc)])))
        let metrics = ["acc": acc, "latency": latency]
        var finish = TrialFinish(number: number, state: .completed, value: acc, metrics: metrics)
        finish.values = goals.values(in: metrics)
        finish.violation = goals.violation(in: metrics)
        try await store.finishTrial(lease, finish)
    }

    @Test(arguments: StoreBackend.allCases)
    func valuesAndViolationsAreStoredAndRankedByFront(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, lease) = try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        #expect(experiment.goals == Self.goals)
        // Trial 0 and 1 are non-dominated; 2 is dominated by 1; 3 has the best accuracy but breaks latency <= 10;
        // 4 is equal to 1 (same front).
        for (number, acc, latency) in [(0, 0.80, 2.0), (1, 0.90, 5.0), (2, 0.85, 6.0), (3, 0.99, 20.0), (4, 0.90, 5.0)] {
            try await Self.complete(store, lease, number, acc: acc, latency: latency)
        }
        let reopened = try #require(try await store.experiment(named: "multi"))
        #expect(reopened.goals == Self.goals)
        let points = try await store.objectivePoints(reopened)
        #expect(points.map(\.number) == [0, 1, 2, 3, 4])
        #expect(points[3] == ObjectivePoint(number: 3, values: [0.99, 20.0], violation: 10))
        #expect(points[1].values == [0.90, 5.0] && points[1].violation == 0)

        let board = try await store.rankedTrials(reopened).collect()
        // Front 1 ordered by the first objective (accuracy, maximised; ties by number), then front 2, then the
        // infeasible trial without a front.
        #expect(board.map(\.number) == [1, 4, 0, 2, 3])
        #expect(board.map(\.front) == [1, 1, 1, 2, nil])
        #expect(board[0].values == [0.90, 5.0])
        #expect(board[4].violation == 10 && !board[4].isFeasible)
        #expect(try await store.best(reopened)?.number == 1)
        let pareto = try await store.frontRankedTrials(reopened, paretoOnly: true).collect()
        #expect(pareto.map(\.number) == [1, 4, 0])
        // Single-trial reads and pages carry the values too.
        #expect(try await store.trial(reopened, number: 2)?.values == [0.85, 6.0])
        #expect(try await store.trialPage(reopened, state: nil, after: nil, limit: 10).map(\.values) == [
            [0.80, 2.0], [0.90, 5.0], [0.85, 6.0], [0.99, 20.0], [0.90, 5.0],
        ])
        // The sampler's history carries them.
        let resume = try await store.resumePoint(reopened, need: .outcomes)
        #expect(resume.history.goals == Self.goals)
        #expect(resume.history[3]?.values == [0.99, 20.0] && resume.history[3]?.isFeasible == false)
        #expect(resume.best?.number == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func anInfeasibleTrialIsNeverBestOfOneConstrainedObjective(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        var spec = StoreContractTests.spec("constrained")
        spec.goals = ObjectiveSet(objectives: [spec.objective], constraints: [Constraint(metric: "c1", comparison: .lessThan, bound: 1)])
        let (experiment, lease) = try await store.createExperiment(spec, specPath: nil, data: nil, owner: OwnerIdentity())
        for (number, value, c1) in [(0, 0.1, 5.0), (1, 0.5, 0.5), (2, 0.3, 0.0)] {
            store.startTrial(lease, TrialStart(number: number, draw: number, params: ParameterSet(["a": .double(value)])))
            let metrics = ["value": value, "c1": c1]
            var finish = TrialFinish(number: number, state: .completed, value: value, metrics: metrics)
            finish.violation = spec.goals.violation(in: metrics)
            try await store.finishTrial(lease, finish)
        }
        #expect(try await store.rankedTrials(experiment).collect().map(\.number) == [2, 1, 0])
        #expect(try await store.best(experiment)?.number == 2)
        #expect(try await store.objectivePoints(experiment).map(\.values) == [[0.1], [0.5], [0.3]])
    }
}
