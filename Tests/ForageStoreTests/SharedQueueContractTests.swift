import ForageBackends
import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

/// The shared trial queue (DESIGN §10) on every backend that has one (PostgreSQL): batched claims never hand one
/// trial to two workers, a batch of finishes records only the claims still held with the finishing attempt, and
/// released claims go back to the queue. These are the operations `forage bench cluster`'s throughput rests on.
@Suite struct SharedQueueContractTests {
    /// The backends with a shared queue.
    static var backends: [StoreBackend] { StoreBackend.allCases.filter { $0 == .postgres } }

    /// A shared experiment with `count` queued trials (numbers 0…count-1).
    static func queued(_ backend: StoreBackend, _ folder: TemporaryDirectory, count: Int) async throws -> (any SharedTrialStore, ExperimentRecord, OwnerLease) {
        let store = try #require(try await backend.make(in: folder.url).experiments as? any SharedTrialStore)
        let (experiment, lease) = try await store.createExperiment(
            StoreContractTests.spec("queue", trials: count), specPath: nil, data: nil, owner: OwnerIdentity())
        try await store.markShared(lease, leaseSeconds: 30)
        let starts = (0..<count).map { TrialStart(number: $0, draw: $0, params: ParameterSet(["a": .double(Double($0) / 100)])) }
        #expect(try await store.queueTrials(lease, starts, budget: count).count == count)
        return (store, experiment, lease)
    }

    static func finish(_ number: Int, attempt: Int = 1) -> TrialFinish {
        TrialFinish(number: number, attempt: attempt, state: .completed, value: Double(number), metrics: ["value": Double(number)])
    }

    @Test(arguments: backends)
    func batchedClaimsTakeAtMostTheirSizeAndNeverOneTrialTwice(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, _) = try await Self.queued(backend, folder, count: 10)
        let a = ClaimIdentity(worker: "a")
        let b = ClaimIdentity(worker: "b")
        let first = try await store.claimTrials(experiment: experiment.id, claim: a, max: 4, leaseSeconds: 30)
        #expect(first.map(\.number) == [0, 1, 2, 3])
        // Two claims at once split what is left between them.
        async let left = store.claimTrials(experiment: experiment.id, claim: a, max: 64, leaseSeconds: 30)
        async let right = store.claimTrials(experiment: experiment.id, claim: b, max: 64, leaseSeconds: 30)
        let rest = try await left + right
        #expect(rest.map(\.number).sorted() == [4, 5, 6, 7, 8, 9])
        #expect(try await store.claimTrials(experiment: experiment.id, claim: b, max: 64, leaseSeconds: 30).isEmpty)
        let state = try await store.queueState(experiment: experiment.id)
        #expect(state.running == 10 && state.queued == 0)
    }

    @Test(arguments: backends)
    func aBatchOfFinishesRecordsOnlyTheClaimsStillHeldWithTheirAttempt(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, lease) = try await Self.queued(backend, folder, count: 4)
        let a = ClaimIdentity(worker: "a")
        // Trial 0's lease has already ended by the database's clock; the driver fails it (lost-worker, re-queued).
        #expect(try await store.claimTrials(experiment: experiment.id, claim: a, max: 1, leaseSeconds: -1).map(\.number) == [0])
        #expect(try await store.claimTrials(experiment: experiment.id, claim: a, max: 3, leaseSeconds: 30).map(\.number) == [1, 2, 3])
        #expect(try await store.expireClaims(lease) == [0])
        // One batch: the lost claim, two held ones, and one finished with an attempt that is not the running one.
        let recorded = try await store.finishClaimed(
            experiment: experiment.id, claim: a, [Self.finish(0), Self.finish(1), Self.finish(2), Self.finish(3, attempt: 2)], reports: [:])
        #expect(recorded == [false, true, true, false])
        // A second finish of a recorded trial, by its own worker or by another, changes nothing.
        #expect(try await store.finishClaimed(experiment: experiment.id, claim: a, [Self.finish(1)], reports: [:]) == [false])
        #expect(try await store.finishClaimed(experiment: experiment.id, claim: ClaimIdentity(worker: "b"), [Self.finish(2)], reports: [:]) == [false])
        let state = try await store.queueState(experiment: experiment.id)
        #expect(state.finished == 2 && state.running == 1)
        #expect(try await store.counts(experiment: experiment.id).completed == 2)
    }

    @Test(arguments: backends)
    func releasedClaimsGoBackToTheQueueAndTheirOldHolderCannotFinishThem(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, _) = try await Self.queued(backend, folder, count: 3)
        let a = ClaimIdentity(worker: "a")
        let b = ClaimIdentity(worker: "b")
        #expect(try await store.claimTrials(experiment: experiment.id, claim: a, max: 3, leaseSeconds: 30).count == 3)
        try await store.releaseClaims(experiment: experiment.id, claim: a, trials: [1, 2])
        #expect(try await store.claimTrials(experiment: experiment.id, claim: b, max: 8, leaseSeconds: 30).map(\.number) == [1, 2])
        #expect(try await store.finishClaimed(experiment: experiment.id, claim: a, [Self.finish(0), Self.finish(1)], reports: [:]) == [true, false])
        #expect(try await store.finishClaimed(experiment: experiment.id, claim: b, [Self.finish(1), Self.finish(2)], reports: [:]) == [true, true])
        #expect(try await store.counts(experiment: experiment.id).completed == 3)
    }

    @Test(arguments: backends)
    func reportsBufferedWithABatchOfFinishesAreStoredOnlyForTheClaimsStillHeld(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, lease) = try await Self.queued(backend, folder, count: 2)
        let a = ClaimIdentity(worker: "a")
        #expect(try await store.claimTrials(experiment: experiment.id, claim: a, max: 1, leaseSeconds: -1).map(\.number) == [0])
        #expect(try await store.claimTrials(experiment: experiment.id, claim: a, max: 1, leaseSeconds: 30).map(\.number) == [1])
        #expect(try await store.expireClaims(lease) == [0])
        // Trial 1 reported step 2 twice: the later report wins; a final report (no step) is not a curve point.
        let curve = [
            MetricReport(step: 1, values: ["value": 3]), MetricReport(step: 2, values: ["value": 2.5]), MetricReport(step: 2, values: ["value": 2]),
            MetricReport(step: nil, values: ["value": 1]),
        ]
        let recorded = try await store.finishClaimed(
            experiment: experiment.id, claim: a, [Self.finish(0), Self.finish(1)], reports: [0: curve, 1: curve])
        #expect(recorded == [false, true])
        let curves = try await store.curves(experiment, metric: "value", trials: [0, 1])
        #expect(curves[0, default: []].isEmpty)
        #expect(curves[1] == [CurvePoint(step: 1, value: 3), CurvePoint(step: 2, value: 2)])
    }
}
