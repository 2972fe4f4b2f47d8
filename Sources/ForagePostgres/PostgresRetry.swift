import ForageStore
import Foundation
import PostgresNIO

/// How a PostgreSQL store rides out a lost connection: a statement or transaction that failed because its
/// connection was reset, closed or terminated (a server restart, `pg_terminate_backend`, a network blip) is tried
/// again on a fresh connection of the pool, with a backoff from 50 ms doubling to 1 s, for at most `bound`; after
/// that it fails with a `StoreError` saying so. Errors of the statement itself (a constraint, a bad query) are
/// never retried.
///
/// Every write Forage makes is safe to run twice: fenced writes (finishes, renewals, releases, expiries) match
/// only the state they change, inserts of queued trials skip numbers already there, and a batch of finishes
/// retried after a try that landed recognises it (see `PostgresClaimedFinish`). A claim whose answer was lost
/// leaves its trials running under a claim nobody renews; the driver fails them as `lost-worker` after one lease
/// and they are re-run, so the budget stays exact.
struct PostgresRetry: Sendable {
    /// The longest a call keeps retrying before it gives up.
    var bound: Duration = .seconds(20)
    var firstPause: Duration = .milliseconds(50)
    var longestPause: Duration = .seconds(1)

    /// Runs `body` (told whether this is a retry) until it succeeds, fails for a reason other than a lost
    /// connection, or the bound has passed.
    func run<T>(_ body: (_ retry: Bool) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        var pause = firstPause
        var tries = 0
        while true {
            tries += 1
            do {
                return try await body(tries > 1)
            } catch {
                guard Self.isLostConnection(error) else { throw error }
                let waited = ContinuousClock.now - started
                guard waited + pause <= bound else {
                    let seconds = Double(bound.components.seconds) + Double(bound.components.attoseconds) * 1e-18
                    throw StoreError.database(
                        "lost the connection to the PostgreSQL server and could not get a working one back within \(String(format: "%g", seconds)) s "
                            + "(\(tries) tries): \(PostgresMessage.of(error))")
                }
                PostgresDatabase.logger.debug("retrying after a lost connection: \(PostgresMessage.of(error))")
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, longestPause)
            }
        }
    }

    /// SQLSTATEs of a session the server ended or could not start: class 08 (connection exception),
    /// `admin_shutdown` (`pg_terminate_backend`, a fast shutdown), `crash_shutdown`, `cannot_connect_now`.
    static let lostStates: Set<String> = ["57P01", "57P02", "57P03"]

    /// Whether `error` means the connection was lost (or could not be made), not that the statement failed.
    static func isLostConnection(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError {
            // A transaction whose body failed on its own terms (a Forage error) is not a lost connection.
            if let inner = error.closureError { return isLostConnection(inner) }
            if let inner = error.beginError ?? error.commitError { return isLostConnection(inner) }
            return false
        }
        if error is ClosedUnderQuery { return true }
        guard let error = error as? PSQLError else { return false }
        if let state = error.serverInfo?[.sqlState] { return state.hasPrefix("08") || lostStates.contains(state) }
        switch error.code {
        // `clientClosedConnection`: the pool's connection was closed under the call after the server ended it.
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .messageDecodingFailure,
            .unexpectedBackendMessage:
            return true
        default: return false
        }
    }
}
