import ForageStore
import Foundation
import PostgresNIO

/// A connection leased from the pool and held until `release()` (or until the value is freed): for one call, or for
/// a session that outlives one (the driver lock's advisory lock).
final class PostgresLease: Sendable {
    let connection: PostgresConnection
    private let released: AsyncStream<Void>.Continuation

    private init(connection: PostgresConnection, released: AsyncStream<Void>.Continuation) {
        self.connection = connection
        self.released = released
    }

    deinit {
        released.finish()
    }

    /// Gives the connection back to the pool.
    func release() {
        released.finish()
    }

    /// Leases a connection of `client`'s pool. (The pool gives up by itself on a server it cannot reach.)
    static func take(from client: PostgresClient) async throws -> PostgresLease {
        let answer = ResumeOnce<PostgresLease>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresLease, any Error>) in
            answer.set(continuation)
            Task {
                do {
                    try await client.withConnection { connection in
                        let (released, signal) = AsyncStream<Void>.makeStream()
                        guard answer.resume(.success(PostgresLease(connection: connection, released: signal))) else { return }
                        for await _ in released {}
                    }
                } catch {
                    answer.resume(.failure(error))
                }
            }
        }
    }
}
