import ForageStore
import Foundation
import PostgresNIO
import Synchronization

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
        let answer = Answer()
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
                    _ = answer.resume(.failure(error))
                }
            }
        }
    }

    /// Answers the caller once.
    private final class Answer: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<PostgresLease, any Error>?, answered: Bool)>((nil, false))

        func set(_ continuation: CheckedContinuation<PostgresLease, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Answers the caller unless someone already did; returns whether this call answered.
        func resume(_ result: Result<PostgresLease, any Error>) -> Bool {
            let continuation = state.withLock { state -> CheckedContinuation<PostgresLease, any Error>? in
                guard !state.answered else { return nil }
                state.answered = true
                defer { state.continuation = nil }
                return state.continuation
            }
            guard let continuation else { return false }
            continuation.resume(with: result)
            return true
        }
    }
}
