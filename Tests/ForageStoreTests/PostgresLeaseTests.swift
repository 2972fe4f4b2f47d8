import ForageTesting
import Foundation
import PostgresNIO
import Testing

@testable import ForagePostgres

/// No call on a PostgreSQL store waits for ever: a wait for a pooled connection is bounded (`PostgresLease`; a
/// request the pool does not grant in time is given up as a lost connection, so the call is retried, and one the
/// pool grants after its caller gave up puts the connection straight back), and a query sent on a connection that
/// has closed fails as a lost connection instead of waiting for an answer that never comes (`send`).
@Suite struct PostgresLeaseTests {
    @Test(.enabled(if: PostgresConnectionLossTests.enabled)) func aLeaseThePoolDoesNotGrantInTimeIsGivenUpAndRetried() async throws {
        let url = try PostgresTestServer.shared.get().createDatabase("lease")
        let database = PostgresDatabase(try PostgresLocation(parsing: url), maximumConnections: 1)
        let held = try await PostgresLease.take(from: database.client, within: .seconds(30))
        #expect(try await held.connection.row("SELECT 1 AS one") { try $0.get("one", as: Int.self) } == 1)

        // The pool's only connection is held: the next request is not granted, and is given up after its bound.
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresLease.TimedOut.self) {
            _ = try await PostgresLease.take(from: database.client, within: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(error.map(PostgresRetry.isLostConnection) == true)
        #expect(error?.description == "the connection pool gave no connection within 0.3 s")

        // Once the connection is back, the given-up request is granted and returns it at once, so calls go on.
        held.release()
        let next = try await PostgresLease.take(from: database.client, within: .seconds(30))
        #expect(try await next.connection.row("SELECT 2 AS two") { try $0.get("two", as: Int.self) } == 2)
        next.release()
        #expect(try await database.rows("SELECT 3 AS three") { try $0.get("three", as: Int.self) } == [3])
    }

    @Test(.enabled(if: PostgresConnectionLossTests.enabled)) func aQueryOnAConnectionTheServerEndedFailsAsALostConnection() async throws {
        let url = try PostgresTestServer.shared.get().createDatabase("closed")
        let database = PostgresDatabase(try PostgresLocation(parsing: url), maximumConnections: 2)
        let lease = try await database.lease()
        defer { lease.release() }
        #expect(try await lease.connection.row("SELECT 1 AS one") { try $0.get("one", as: Int.self) } == 1)
        #expect(try PostgresConnectionLossTests.terminateSessions(url) >= 1)
        let deadline = ContinuousClock.now + .seconds(20)
        while !lease.connection.isClosed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(lease.connection.isClosed)
        let error = await #expect(throws: (any Error).self) {
            _ = try await lease.connection.row("SELECT 2 AS two") { try $0.get("two", as: Int.self) }
        }
        #expect(error.map(PostgresRetry.isLostConnection) == true, "\(String(describing: error))")
        // The store's own calls go on, on a fresh connection.
        #expect(try await database.rows("SELECT 3 AS three") { try $0.get("three", as: Int.self) } == [3])
    }
}
