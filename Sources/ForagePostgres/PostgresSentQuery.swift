import ForageStore
import Foundation
import PostgresNIO

extension PostgresConnection {
    /// Sends `query` and returns its rows, or fails with `ClosedUnderQuery` when the connection closed and the
    /// query was never answered.
    ///
    /// postgres-nio hands a query to its connection's channel without a write promise: a query written to a
    /// connection that closed an instant earlier (the server ended the session while the pool was granting it)
    /// never reaches the protocol handler, and its answer never comes, so awaiting it would hang for ever. The query
    /// is therefore awaited beside a watchdog that checks every `closedQueryGrace` whether the connection has
    /// closed under it; a query still unanswered on a closed connection is given up as a lost connection, and
    /// `PostgresRetry` runs the call again on a fresh one. A query on an open connection is never cut short.
    func send(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        let connection = self
        let answer = ResumeOnce<PostgresRowSequence>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresRowSequence, any Error>) in
            answer.set(continuation)
            let watchdog = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.closedQueryGrace)
                    if !Task.isCancelled, connection.isClosed {
                        answer.resume(.failure(ClosedUnderQuery()))
                        return
                    }
                }
            }
            Task {
                do {
                    answer.resume(.success(try await connection.query(query, logger: PostgresDatabase.logger)))
                } catch {
                    answer.resume(.failure(error))
                }
                watchdog.cancel()
            }
        }
    }

    /// How long a query may stay unanswered on a closed connection (a query on a connection that closes normally
    /// fails at once, so this is only ever waited for the lost ones).
    static let closedQueryGrace: Duration = .seconds(1)

    /// Runs `body` in a transaction on this connection (`BEGIN` … `COMMIT`, `ROLLBACK` when `body` throws), every
    /// statement sent with `send`. Errors come out as they are: the statement's, the commit's, or `body`'s own.
    func transaction<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await run("BEGIN")
        let value: T
        do {
            value = try await body(self)
        } catch {
            try? await run("ROLLBACK")
            throw error
        }
        try await run("COMMIT")
        return value
    }
}

/// The connection closed under a query that was never answered (see `PostgresConnection.send`).
struct ClosedUnderQuery: Error, CustomStringConvertible {
    var description: String { "the connection closed under a query that was never answered" }
}
