import ForageBackends
import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

/// The backends the contract suite runs over. A new backend is correct when it passes this suite unchanged: add
/// one case here.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteFile
    case sqliteMemory
    /// A fresh database on the test process's private PostgreSQL server (left out, with a printed reason, where
    /// no PostgreSQL is installed).
    case postgres

    var testDescription: String { rawValue }

    static var allCases: [StoreBackend] {
        guard case .success = PostgresTestServer.shared else { return [.sqliteFile, .sqliteMemory] }
        return [.sqliteFile, .sqliteMemory, .postgres]
    }

    /// A fresh, empty store whose files live in `folder`.
    func make(in folder: URL) async throws -> OpenStore {
        switch self {
        case .sqliteFile: return try StoreFactory.open(folder.appendingPathComponent("store").path, access: .create)
        case .sqliteMemory: return try StoreFactory.inMemory(files: folder.appendingPathComponent("files"))
        case .postgres:
            let url = try PostgresTestServer.shared.get().createDatabase("contract")
            return try await StoreFactory.connect(url, access: .create, files: folder.appendingPathComponent("files"))
        }
    }
}

/// The store contract (DESIGN §6): every backend behaves the same on creation, ownership and fencing, the trial
/// lifecycle, decisions, queries, budgets and the registry.
@Suite struct StoreContractTests {
    static func spec(_ name: String = "exp", direction: Direction = .minimize, trials: Int = 10) -> ExperimentSpec {
        ExperimentSpec(
            name: name, objective: Objective(metric: "value", direction: direction), trial: TrialSpec(kind: .function(name: "noop")),
            searchSpace: SearchSpace([Parameter(name: "a", distribution: .float(low: 0, high: 1, log: false, step: nil))]),
            budget: Budget(trials: trials), source: "name: \(name)")
    }

    /// Starts and finishes trial `number` with `value` under `lease`.
    static func complete(_ store: any ExperimentStore, _ lease: OwnerLease, _ number: Int, _ value: Double, attempt: Int = 1) async throws {
        store.startTrial(lease, TrialStart(number: number, draw: number, params: ParameterSet(["a": .double(value)]), attempt: attempt))
        try await store.finishTrial(
            lease, TrialFinish(number: number, attempt: attempt, state: .completed, value: value, metrics: ["value": value, "extra": 1]))
    }

    /// A process identity that cannot be alive (a pid beyond the kernel's range).
    static let deadOwner = OwnerIdentity(token: "dead", pid: 999_999_999, host: ProcessInfo.processInfo.hostName, process: "")

    @Test(arguments: StoreBackend.allCases)
    func trialsCommitAndRankByTheObjective(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, lease) = try await store.createExperiment(Self.spec(direction: .maximize), specPath: nil, data: nil, owner: OwnerIdentity())
        for (number, value) in [(0, 0.5), (1, 0.9), (2, 0.1), (3, 0.9)] {
            store.startTrial(lease, TrialStart(number: number, draw: number, params: ParameterSet(["a": .double(value)])))
            try await store.commitReport(lease, trial: number, step: 1, values: ["value": value / 2])
            try await store.finishTrial(lease, TrialFinish(number: number, state: .completed, value: value, metrics: ["value": value, "extra": 1]))
        }
        let board = try await store.rankedTrials(experiment).collect()
        // Ties go to the lower trial number, in either direction.
        #expect(board.map(\.number) == [1, 3, 0, 2])
        #expect(board[0].metrics == ["value": 0.9, "extra": 1])
        #expect(board[0].lastStep == 1)
        #expect(try await store.leaderboard(experiment, top: 1).map(\.number) == [1])
        #expect(try await store.counts(experiment: experiment.id).completed == 4)
        #expect(try await store.listingColumns(experiment, completedOnly: true) == ListingColumns(metricNames: ["extra", "value"], hasWorkers: false))
        // A listing gets the metrics it asks for, and decisions only when it asks.
        store.recordDecision(lease, trial: 0, decision: SchedulerDecision(action: .stop, reason: "test", step: 1, value: 0.25))
        try await store.flush()
        let narrow = try await store.rankedTrials(experiment, detail: RecordDetail(metrics: ["extra"], decisions: false)).collect()
        #expect(narrow.map(\.number) == [1, 3, 0, 2])
        #expect(narrow.allSatisfy { $0.metrics == ["extra": 1] && $0.decisions.isEmpty })
        let bare = try await store.rankedTrials(experiment, detail: RecordDetail(metrics: [], decisions: false)).collect()
        #expect(bare.allSatisfy { $0.metrics.isEmpty })
        #expect(bare.map(\.params) == board.map(\.params))
        let full = try await store.rankedTrials(experiment).collect()
        #expect(full.first { $0.number == 0 }?.decisions.map(\.step) == [1])
    }

    @Test(arguments: StoreBackend.allCases)
    func pagesFollowTheirCursorsInOrder(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, lease) = try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        var generator = SplitMix64(seed: 3)
        var values: [Int: Double] = [:]
        for number in 0..<57 {
            // Few distinct values, so ties span page boundaries.
            let value = Double(generator.next() % 7)
            values[number] = value
            try await Self.complete(store, lease, number, value)
        }
        store.startTrial(lease, TrialStart(number: 57, draw: 57, params: ParameterSet(["a": .double(0)])))
        try await store.flush()
        let ranked = try await store.rankedTrials(experiment, pageSize: 5).collect()
        let expected = values.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        #expect(ranked.map(\.number) == expected)
        #expect(try await store.rankedTrials(experiment, top: 7, pageSize: 3).collect().map(\.number) == Array(expected.prefix(7)))
        let all = try await store.allTrials(experiment, pageSize: 4).collect()
        #expect(all.map(\.number) == Array(0...57))
        #expect(all.last?.state == .running)
        #expect(try await store.allTrials(experiment, state: .running, pageSize: 4).collect().map(\.number) == [57])
        #expect(try await store.trialPage(experiment, state: nil, after: 55, limit: 10).map(\.number) == [56, 57])
    }

    @Test(arguments: StoreBackend.allCases)
    func aLiveOwnerIsRefusedAndADeadOnesTrialsAreRecoveredAsInterrupted(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (_, lease) = try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        store.startTrial(lease, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.2)])))
        try await store.flush()
        // This process is alive: a second owner is refused.
        await #expect(throws: StoreError.self) { try await store.acquire("exp", owner: OwnerIdentity(), force: false) }
        await #expect(throws: StoreError.experimentExists(name: "exp")) {
            try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        }
        // An owner whose process is gone frees the experiment at once; its running trial is re-queued.
        let (other, deadLease) = try await store.createExperiment(Self.spec("other"), specPath: nil, data: nil, owner: Self.deadOwner)
        store.startTrial(deadLease, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.2)])))
        try await store.flush()
        #expect(try await store.requireExperiment("other").state == .interrupted)
        let (_, taken) = try await store.acquire("other", owner: OwnerIdentity(), force: false)
        #expect(taken.epoch == deadLease.epoch + 1)
        let trials = try await store.allTrials(try await store.requireExperiment("other")).collect()
        #expect(trials.count == 1)
        #expect(trials[0].state == .failed && trials[0].reason == .interrupted && trials[0].requeued)
        #expect(try await store.counts(experiment: other.id).queued == 1)
        let point = try await store.resumePoint(try await store.requireExperiment("other"), need: .none)
        #expect(point.retries == [RequeuedAttempt(number: 0, draw: 0, params: ParameterSet(["a": .double(0.2)]), attempt: 1)])
        #expect(point.nextNumber == 1 && point.nextDraw == 1 && point.done == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func aSupersededOwnerChangesNothing(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, old) = try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        try await Self.complete(store, old, 0, 0.5)
        store.startTrial(old, TrialStart(number: 1, draw: 1, params: ParameterSet(["a": .double(0.7)])))
        try await store.flush()
        // Taken over on purpose while the first owner lives (`resume --force`).
        let (_, new) = try await store.acquire("exp", owner: OwnerIdentity(), force: true)
        #expect(new.epoch > old.epoch)
        // Every write of the old owner is refused, and says who owns the experiment now.
        let error = await #expect(throws: StoreError.self) {
            try await store.finishTrial(old, TrialFinish(number: 1, state: .completed, value: 0.7, metrics: ["value": 0.7]))
        }
        guard case .lostOwnership(let name, _) = error else {
            Issue.record("expected lostOwnership, got \(String(describing: error))")
            return
        }
        #expect(name == "exp")
        await #expect(throws: StoreError.self) { try await store.heartbeat(old) }
        store.startTrial(old, TrialStart(number: 2, draw: 2, params: ParameterSet(["a": .double(0.1)])))
        await #expect(throws: StoreError.self) { try await store.close(old, state: .finished, message: nil) }
        // The new owner's view: trial 1 interrupted and re-queued, no trial 2 from the old owner, trial 0 untouched.
        try await Self.complete(store, new, 2, 0.3, attempt: 2)
        let trials = try await store.allTrials(experiment).collect()
        #expect(trials.map(\.number) == [0, 1, 2])
        #expect(trials[0].value == 0.5 && trials[0].state == .completed)
        #expect(trials[1].state == .failed && trials[1].reason == .interrupted)
        #expect(trials[2].params == ParameterSet(["a": .double(0.3)]))
        try await store.close(new, state: .finished, message: nil)
        #expect(try await store.requireExperiment("exp").state == .finished)
    }

    @Test(arguments: StoreBackend.allCases)
    func aTrialIsFinishedOnlyWhileRunningWithThatAttempt(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, lease) = try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        store.startTrial(lease, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.4)]), attempt: 2))
        await #expect(throws: StoreError.self) {
            try await store.finishTrial(lease, TrialFinish(number: 0, attempt: 1, state: .completed, value: 9, metrics: [:]))
        }
        try await store.finishTrial(lease, TrialFinish(number: 0, attempt: 2, state: .completed, value: 0.4, metrics: ["value": 0.4]))
        // A second finish of the same attempt (a repeated message) does not overwrite the first.
        await #expect(throws: StoreError.self) {
            try await store.finishTrial(lease, TrialFinish(number: 0, attempt: 2, state: .failed, value: nil, metrics: [:], reason: .error))
        }
        let trial = try await store.trial(experiment, number: 0)
        #expect(trial?.state == .completed && trial?.value == 0.4 && trial?.attempt == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func decisionsReportsAndBudgetsAreKept(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, lease) = try await store.createExperiment(Self.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        store.startTrial(lease, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.4)])))
        for step in 1...3 { store.submitReport(lease, trial: 0, step: step, values: ["value": Double(10 - step)]) }
        store.recordDecision(
            lease, trial: 0,
            decision: SchedulerDecision(action: .stop, reason: "below the rung's cutoff", rung: 1, cutoff: 5, step: 3, value: 7))
        try await store.finishTrial(lease, TrialFinish(number: 0, state: .pruned, value: 7, metrics: ["value": 7]))
        try await store.updateBudget(lease, trials: 25, parallel: 3)
        let trial = try await store.trial(experiment, number: 0)
        #expect(trial?.decisions == [DecisionRecord(step: 3, action: "stop", reason: "below the rung's cutoff", rung: 1, cutoff: 5, value: 7)])
        #expect(trial?.lastStep == 3)
        #expect(try await store.curves(experiment, metric: "value", trials: [0])[0]?.map(\.value) == [9, 8, 7])
        #expect(try await store.trialsWithCurves(experiment, metric: "value") == [0])
        let record = try await store.requireExperiment("exp")
        #expect(record.budgetTrials == 25 && record.budgetParallel == 3)
        let point = try await store.resumePoint(record, need: .curves)
        #expect(point.done == 1 && point.history.trials.count == 1 && point.history.trials[0].intermediate == [1: 9, 2: 8, 3: 7])
        #expect(try await store.resumePoint(record, need: .none).history.trials.isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func namesThatCouldEscapeTheStoreAreRefused(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let opened = try await backend.make(in: folder.url)
        for name in ["..", "../../etc", "a/b", ".hidden", "two words", String(repeating: "x", count: 300), ""] {
            await #expect(throws: StoreError.invalidExperimentName(name)) {
                try await opened.experiments.createExperiment(Self.spec(name), specPath: nil, data: nil, owner: OwnerIdentity())
            }
            #expect(throws: StoreError.self) { try opened.layout.trialDirectory(experiment: name, number: 0) }
        }
        let inside = try opened.layout.trialDirectory(experiment: "ok-name.v2", number: 3)
        #expect(inside.path.hasPrefix(opened.layout.root.path + "/trials/"))
    }

    @Test(arguments: StoreBackend.allCases)
    func theRegistryKeepsVersionsAliasesAndVerifiedBlobs(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let registry = try await backend.make(in: folder.url).registry
        let lineage = Lineage(experiment: "exp", trial: 1, params: ParameterSet(["a": .double(0.5)]), metrics: ["test_value": 0.1])
        let first = try await registry.register(Registration(model: "m", blob: Data("one".utf8), lineage: lineage, alias: "prod", reason: "first"))
        let second = try await registry.register(Registration(model: "m", blob: Data("two".utf8), lineage: lineage, alias: "prod", reason: "second"))
        #expect(first.version == 1 && second.version == 2)
        #expect(try await registry.resolve(ModelReference(model: "m", selector: .alias("prod"))).version == 2)
        #expect(try await registry.blob(of: second) == Data("two".utf8))
        try await registry.rollback(model: "m", alias: "prod")
        #expect(try await registry.resolveNumber(ModelReference(model: "m", selector: .alias("prod"))) == 1)
        #expect(try await registry.history(of: "m").map(\.kind) == [.promote, .promote, .rollback])
        #expect(try await registry.models().map(\.name) == ["m"])
        await #expect(throws: RegistryError.self) { try await registry.resolve(ModelReference(model: "nope", selector: .latest)) }
    }
}
