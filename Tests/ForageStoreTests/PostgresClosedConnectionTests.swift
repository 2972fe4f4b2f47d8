import ForageTesting
import Foundation
import PostgresNIO
import Testing

@testable import ForagePostgres

/// A query sent on a connection the server has ended fails as a lost connection (and is then retried by the store)
/// instead of waiting for an answer that never comes (`PostgresConnection.send`).
@Suite struct PostgresClosedConnectionTests {
    @Test(.enabled(if: PostgresConnectionLossTests.enabled)) func aQueryOnAConnectionTheServerEndedFailsAsALostConnection() async throws {
        let url = try PostgresTestServer.shared.get().createDatabase("closed")
        let database = PostgresDatabase(try PostgresLocation(parsing: url), maximumConnections: 2)
        let lease = try await PostgresLease.take(from: database.client)
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
