import ForageCore
import ForageStore
import ForageTesting
import Foundation
import Testing

@testable import ForagePostgres

/// A PostgreSQL store rides out lost connections (`PostgresRetry`): calls made after the server ended every session
/// of the store's pool succeed on fresh connections, a retried batch of finishes whose first try landed is
/// recognised and writes nothing twice, and a server that stays away ends a call with a Forage error after the bound.
@Suite struct PostgresConnectionLossTests {
    static var enabled: Bool {
        guard case .success = PostgresTestServer.shared else { return false }
        return true
    }

    /// A fresh store on the test server with a shared experiment of `count` queued trials, and its URL.
    static func queued(_ folder: TemporaryDirectory, count: Int) async throws -> (PostgresExperimentStore, ExperimentRecord, String) {
        let url = try PostgresTestServer.shared.get().createDatabase("loss")
        let opened = try await PostgresStores.open(url, readOnly: false, create: true, files: folder.url.appendingPathComponent("files"))
        let store = opened.experiments
        let (experiment, lease) = try await store.createExperiment(
            StoreContractTests.spec("loss", trials: count), specPath: nil, data: nil, owner: OwnerIdentity())
        try await store.markShared(lease, leaseSeconds: 30)
        let starts = (0..<count).map { TrialStart(number: $0, draw: $0, params: ParameterSet(["a": .double(Double($0) / 100)])) }
        #expect(try await store.queueTrials(lease, starts, budget: count).count == count)
        return (store, experiment, url)
    }

    /// Ends every other session of the database at `url`, as an administrator or a server restart would.
    static func terminateSessions(_ url: String) throws -> Int {
        let answer = try PostgresTestServer.shared.get().psql(
            url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return Int(answer.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func finish(_ number: Int, at time: Double = 1_000_000) -> TrialFinish {
        TrialFinish(
            number: number, state: .completed, value: Double(number), metrics: ["value": Double(number)],
            finishedAt: Date(timeIntervalSince1970: time + Double(number)))
    }

    @Test(.enabled(if: enabled)) func callsAfterTheServerEndedEverySessionSucceedOnFreshConnections() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, url) = try await Self.queued(folder, count: 6)
        let claim = ClaimIdentity(worker: "a")
        #expect(try await store.claimTrials(experiment: experiment.id, claim: claim, max: 3, leaseSeconds: 30).map(\.number) == [0, 1, 2])
        #expect(try Self.terminateSessions(url) >= 1)
        #expect(try await store.finishClaimed(experiment: experiment.id, claim: claim, (0..<3).map { Self.finish($0) }, reports: [:]) == [true, true, true])
        _ = try Self.terminateSessions(url)
        #expect(try await store.claimTrials(experiment: experiment.id, claim: claim, max: 8, leaseSeconds: 30).map(\.number) == [3, 4, 5])
        _ = try Self.terminateSessions(url)
        let state = try await store.queueState(experiment: experiment.id)
        #expect(state.finished == 3 && state.running == 3 && state.queued == 0)
    }

    @Test(.enabled(if: enabled)) func aRetriedBatchOfFinishesThatLandedIsRecognisedAndWritesNothingTwice() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, url) = try await Self.queued(folder, count: 3)
        let claim = ClaimIdentity(worker: "a")
        #expect(try await store.claimTrials(experiment: experiment.id, claim: claim, max: 3, leaseSeconds: 30).count == 3)
        let curve = [MetricReport(step: 1, values: ["value": 5]), MetricReport(step: 2, values: ["value": 4])]
        let batch = PostgresClaimedFinish(experiment: experiment.id, claim: claim, finishes: [Self.finish(0), Self.finish(1)], reports: [0: curve])
        func recorded(_ finish: PostgresClaimedFinish, retry: Bool) async throws -> [Int] {
            try await store.database.rows({ _ in finish.query(recognising: retry) }) { try $0.get("number", as: Int.self) }.sorted()
        }
        #expect(try await recorded(batch, retry: false) == [0, 1])
        // The same batch again, as a retry after a lost answer: recognised; as a fresh call: refused.
        #expect(try await recorded(batch, retry: true) == [0, 1])
        #expect(try await recorded(batch, retry: false) == [])
        // A different finish of a recorded trial, another claim's retry, or a trial still running are not recognised.
        let other = PostgresClaimedFinish(experiment: experiment.id, claim: claim, finishes: [Self.finish(0, at: 5), Self.finish(2)], reports: [:])
        #expect(try await recorded(PostgresClaimedFinish(experiment: experiment.id, claim: claim, finishes: [Self.finish(0, at: 5)], reports: [:]), retry: true) == [])
        #expect(try await recorded(PostgresClaimedFinish(experiment: experiment.id, claim: ClaimIdentity(worker: "b"), finishes: [Self.finish(1)], reports: [:]), retry: true) == [])
        #expect(try await recorded(other, retry: true) == [2])
        let server = try PostgresTestServer.shared.get()
        func count(_ sql: String) throws -> String { try server.psql(url, sql).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(try count("SELECT count(*) FROM trial_metrics") == "3")
        #expect(try count("SELECT count(*) FROM intermediate_values") == "2")
        #expect(try count("SELECT string_agg(number || ':' || last_step, ',' ORDER BY number) FROM trials WHERE last_step IS NOT NULL") == "0:2")
        #expect(try await store.counts(experiment: experiment.id).completed == 3)
    }

    @Test(.enabled(if: enabled)) func aSessionThatKeepsBeingEndedEndsTheCallWithAForageErrorAfterTheBound() async throws {
        let url = try PostgresTestServer.shared.get().createDatabase("loss")
        let database = PostgresDatabase(try PostgresLocation(parsing: url), reconnectWithin: .milliseconds(300))
        // The statement ends its own session every time it is tried, as a server that keeps going away would.
        await #expect {
            _ = try await database.rows("SELECT pg_terminate_backend(pg_backend_pid()) AS ended") { _ in 0 }
        } throws: { error in
            let text = "\(error)"
            return error is StoreError && text.contains("could not get a working one back within 0.3 s") && text.contains("57P01")
        }
        // A statement that fails on its own terms is not retried: the error is the server's, at once.
        await #expect {
            _ = try await database.rows("SELECT no_such_column FROM pg_class") { _ in 0 }
        } throws: { error in
            "\(error)".contains("no_such_column") && !"\(error)".contains("could not get a working one back")
        }
    }
}

extension PostgresConnectionLossTests {
    @Test(.enabled(if: enabled)) func aDriverLockWhoseSessionWasEndedIsReleasedAndCanBeTakenAgain() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, experiment, url) = try await Self.queued(folder, count: 1)
        let lock = try #require(try await store.driverLock(experiment: experiment.id))
        #expect(try await store.driverLock(experiment: experiment.id) == nil)
        #expect(try Self.terminateSessions(url) >= 1)
        await lock.release()
        let again = try #require(try await store.driverLock(experiment: experiment.id))
        await again.release()
    }
}
