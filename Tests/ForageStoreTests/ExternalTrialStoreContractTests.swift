import ForageBackends
import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

/// The ask/tell side of the store contract (`ExternalTrialStore`), for every backend that adopts it: asked trials
/// stay running across owners, expired ones are failed as `lost-worker` and re-queued, renewals count, a live owner
/// is refused.
@Suite struct ExternalTrialStoreContractTests {
    @Test(arguments: StoreBackend.allCases)
    func askedTrialsSurviveTheOwnerAndExpireByTheirLease(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let opened = try await backend.make(in: folder.url).experiments
        guard let store = opened as? any ExternalTrialStore else { return }  // ask/tell is optional for a backend
        var spec = StoreContractTests.spec("ext")
        spec.trial = TrialSpec(kind: .external)
        let (experiment, first) = try await store.createExperiment(spec, specPath: nil, data: nil, owner: OwnerIdentity())
        let now = Date()
        store.startTrial(first, TrialStart(number: 0, draw: 0, params: ParameterSet(["a": .double(0.1)]), startedAt: now.addingTimeInterval(-30)))
        store.startTrial(first, TrialStart(number: 1, draw: 1, params: ParameterSet(["a": .double(0.2)]), startedAt: now.addingTimeInterval(-120)))
        try await store.flush()
        try await store.close(first, state: .running, message: nil)

        let (_, second, running) = try await store.acquireExternal("ext", owner: OwnerIdentity(), leaseTimeout: 60)
        #expect(running.map(\.number) == [0])
        #expect(running.first?.params == ParameterSet(["a": .double(0.1)]))
        #expect(abs((running.first?.lastActive.timeIntervalSince(now) ?? 0) + 30) < 1)
        let expired = try #require(try await store.trial(experiment, number: 1))
        #expect(expired.state == .failed && expired.reason == .lostWorker && expired.requeued)
        // While this owner holds it, another ask is refused.
        await #expect(throws: StoreError.self) { _ = try await store.acquireExternal("ext", owner: OwnerIdentity(), leaseTimeout: 60) }

        let renewal = Date()
        store.renewTrial(second, trial: 0, attempt: 1)
        store.renewTrial(second, trial: 0, attempt: 2)  // not the running attempt: changes nothing
        try await store.flush()
        try await store.close(second, state: .running, message: nil)
        let (_, third, renewed) = try await store.acquireExternal("ext", owner: OwnerIdentity(), leaseTimeout: 60)
        #expect(renewed.map(\.number) == [0])
        #expect((renewed.first?.lastActive ?? .distantPast) >= renewal.addingTimeInterval(-1))
        let point = try await store.resumePoint(experiment, need: .none)
        #expect(point.retries.map(\.number) == [1])
        try await store.close(third, state: .running, message: nil)
    }
}
