import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

/// The store contract for enqueued parameters (`forage enqueue`, `enqueue:`), on every backend: queued durably in
/// order, taken once by the start that runs them (in its transaction), copied nowhere else, deleted with the experiment.
@Suite struct EnqueueStoreContractTests {
    static func params(_ a: Double) -> ParameterSet { ParameterSet(["a": .double(a)]) }

    @Test(arguments: StoreBackend.allCases)
    func queuedParametersAreTakenOnceByTheTrialThatStartsThem(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        var spec = StoreContractTests.spec()
        spec.enqueue = [Self.params(0.1)]
        let (experiment, lease) = try await store.createExperiment(spec, specPath: nil, data: nil, owner: OwnerIdentity())
        // The spec's list is queued with the experiment; later ones follow in order.
        let added = try await store.enqueue(experiment, [Self.params(0.2), Self.params(0.3)])
        #expect(added.map(\.params) == [Self.params(0.2), Self.params(0.3)])
        let pending = try await store.pendingEnqueued(experiment)
        #expect(pending.map(\.params) == [Self.params(0.1), Self.params(0.2), Self.params(0.3)])
        #expect(pending.map(\.id) == pending.map(\.id).sorted() && Set(pending.map(\.id)).count == 3)

        store.startTrial(lease, TrialStart(number: 0, draw: 0, params: pending[0].params, enqueued: pending[0].id))
        try await store.flush()
        #expect(try await store.pendingEnqueued(experiment).map(\.id) == [pending[1].id, pending[2].id])
        // A second start naming the same entry (which a single owner never sends) does not take it again.
        store.startTrial(lease, TrialStart(number: 1, draw: 1, params: pending[1].params, enqueued: pending[1].id))
        store.startTrial(lease, TrialStart(number: 2, draw: 2, params: pending[1].params, enqueued: pending[1].id))
        try await store.flush()
        #expect(try await store.pendingEnqueued(experiment).map(\.id) == [pending[2].id])

        // Each experiment has its own queue.
        let other = try await store.createExperiment(StoreContractTests.spec("other"), specPath: nil, data: nil, owner: OwnerIdentity())
        #expect(try await store.pendingEnqueued(other.0).isEmpty)

        try await store.close(lease, state: .interrupted, message: nil)
        try await store.deleteExperiment(named: "exp")
        let recreated = try await store.createExperiment(StoreContractTests.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        #expect(try await store.pendingEnqueued(recreated.0).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func anyProcessMayEnqueueWhileAnOwnerRunsButNotForAMissingExperiment(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try await backend.make(in: folder.url).experiments
        let (experiment, lease) = try await store.createExperiment(StoreContractTests.spec(), specPath: nil, data: nil, owner: OwnerIdentity())
        // Not fenced: the owner's lease is live and another caller enqueues.
        _ = try await store.enqueue(experiment, [Self.params(0.5)])
        try await StoreContractTests.complete(store, lease, 0, 0.4)
        #expect(try await store.pendingEnqueued(experiment).map(\.params) == [Self.params(0.5)])
        try await store.close(lease, state: .interrupted, message: nil)
        try await store.deleteExperiment(named: "exp")
        await #expect(throws: StoreError.self) { _ = try await store.enqueue(experiment, [Self.params(0.5)]) }
    }
}
