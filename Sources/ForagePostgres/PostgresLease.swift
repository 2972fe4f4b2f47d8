import ForageStore
import Foundation
import PostgresNIO
import Synchronization

/// A connection leased from the pool, held until `release()` (or until the value is freed).
///
/// Asking the pool for a connection is bounded. postgres-nio's pool keeps a request waiting for as long as it
/// cannot make a connection (a server that is down or unreachable, a database that does not exist), with no end;
/// a lease not granted within its bound is given up and reported as a lost connection (`PostgresLease.TimedOut`),
/// so `PostgresRetry` asks again and, past its own bound, fails the call with a Forage error instead of hanging.
/// The request given up is left behind; if the pool grants it later, the connection goes straight back.
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

    /// The pool granted no connection within the bound.
    struct TimedOut: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "the connection pool gave no connection within \(String(format: "%g", seconds)) s" }
    }

    /// Leases a connection of `client`'s pool, waiting at most `bound`.
    static func take(from client: PostgresClient, within bound: Duration) async throws -> PostgresLease {
        let answer = Answer()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresLease, any Error>) in
            answer.set(continuation)
            let holder = Task {
                do {
                    try await client.withConnection { connection in
                        let (released, signal) = AsyncStream<Void>.makeStream()
                        // A lease granted after its caller gave up goes straight back.
                        guard answer.resume(.success(PostgresLease(connection: connection, released: signal))) else { return }
                        for await _ in released {}
                    }
                } catch {
                    _ = answer.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: bound)
                if answer.resume(.failure(TimedOut(seconds: bound.seconds))) { holder.cancel() }
            }
        }
    }

    /// Lets exactly one of the lease and the timer answer the caller.
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

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
