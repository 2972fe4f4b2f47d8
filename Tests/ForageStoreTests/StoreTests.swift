import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

@Suite struct StoreTests {
    func spec(_ name: String = "exp", direction: Direction = .minimize) -> ExperimentSpec {
        ExperimentSpec(
            name: name, objective: Objective(metric: "value", direction: direction), trial: TrialSpec(kind: .function(name: "noop")),
            searchSpace: SearchSpace([Parameter(name: "a", distribution: .float(low: 0, high: 1, log: false, step: nil))]),
            budget: Budget(trials: 10), source: "name: \(name)")
    }

    @Test func trialsCommitAndRankByTheObjective() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteExperimentStore(directory: directory.url, create: true)
        let owner = OwnerIdentity()
        let experiment = try store.createExperiment(spec(direction: .maximize), specPath: nil, data: nil, owner: owner)
        for (number, value) in [(0, 0.5), (1, 0.9), (2, 0.1)] {
            store.startTrial(experiment: experiment.id, TrialStart(number: number, draw: number, params: ParameterSet(["a": .double(value)])))
            try await store.commitReport(experiment: experiment.id, trial: number, step: 1, values: ["value": value / 2])
            try await store.finishTrial(experiment: experiment.id, TrialFinish(number: number, state: .completed, value: value, metrics: ["value": value, "extra": 1]))
        }
        let board = try store.leaderboard(experiment)
        #expect(board.map(\.number) == [1, 0, 2])
        #expect(board[0].metrics == ["value": 0.9, "extra": 1])
        #expect(board[0].lastStep == 1)
        #expect(try store.leaderboard(experiment, top: 1).map(\.number) == [1])
        #expect(try store.counts(experiment: experiment.id).completed == 3)
        // A second process (another connection) sees exactly the committed state.
        let reader = try SQLiteExperimentStore(directory: directory.url, create: false)
        #expect(try reader.trials(try reader.requireExperiment("exp")).count == 3)
    }

    @Test func aSecondOwnerIsRefusedAndRunningTrialsAreRecoveredAsInterrupted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteExperimentStore(directory: directory.url, create: true)
        let first = OwnerIdentity()
        let experiment = try store.createExperiment(spec(), specPath: nil, data: nil, owner: first)
        store.startTrial(experiment: experiment.id, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.2)])))
        try await store.flush()
        #expect(throws: StoreError.self) { try store.acquire("exp", owner: OwnerIdentity()) }
        #expect(throws: StoreError.experimentExists(name: "exp")) { try store.createExperiment(spec(), specPath: nil, data: nil, owner: first) }
        // An owner whose process is gone (here: a pid that cannot exist) frees the experiment at once.
        let dead = OwnerIdentity(token: "dead", pid: 999_999_999, host: ProcessInfo.processInfo.hostName)
        let other = try store.createExperiment(spec("other"), specPath: nil, data: nil, owner: dead)
        store.startTrial(experiment: other.id, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.2)])))
        try await store.flush()
        try store.acquire("other", owner: OwnerIdentity())
        let trials = try store.trials(try store.requireExperiment("other"))
        #expect(trials.count == 1)
        #expect(trials[0].state == .failed && trials[0].reason == .interrupted && trials[0].requeued)
        #expect(try store.counts(experiment: other.id).queued == 1)
    }

    @Test func unknownExperimentsAndMissingStoresAreClearErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: StoreError.noStore(path: directory.url.path)) { try SQLiteExperimentStore(directory: directory.url, create: false) }
        let store = try SQLiteExperimentStore(directory: directory.url, create: true)
        let error = #expect(throws: StoreError.self) { try store.requireExperiment("nope") }
        #expect(error?.description.contains("no experiment named 'nope'") == true)
    }
}
