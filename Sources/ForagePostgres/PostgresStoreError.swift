import ForageStore
import Foundation
import PostgresNIO

/// What can go wrong with a PostgreSQL store before the store protocol's own errors apply.
public enum PostgresStoreError: Error, Equatable, CustomStringConvertible {
    case badURL(String, String)

    public var description: String {
        switch self {
        case .badURL(let url, let reason): return "'\(Redact.url(url))' is not a PostgreSQL store URL: \(reason)"
        }
    }
}

/// Turns PostgresNIO's errors into Forage's words: the server's own message (`relation … does not exist`,
/// `password authentication failed for user …`), or what failed on the way to the server.
enum PostgresMessage {
    static func of(_ error: any Error) -> String {
        if let error = error as? StoreError { return error.description }
        if let error = error as? RegistryError { return error.description }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError { return of(inner) }
            if let inner = error.commitError { return of(inner) }
            if let inner = error.beginError { return of(inner) }
            return "the transaction failed"
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + code
            }
            switch error.code {
            case .connectionError: return "cannot connect to the server" + (error.underlying.map { ": \(describe($0))" } ?? "")
            case .serverClosedConnection, .clientClosedConnection: return "the server closed the connection"
            case .sslUnsupported: return "the server does not support TLS, but the URL asks for sslmode=require"
            case .authMechanismRequiresPassword: return "the server asks for a password; give it in the URL, $PGPASSWORD or ~/.pgpass"
            default: return "PostgreSQL client error: \(error.code)"
            }
        }
        // The pool retries making connections by itself and gives up after a minute of failures.
        if String(describing: type(of: error)) == "ConnectionPoolError", "\(error)".contains("CircuitBreakerTripped") {
            return "no connection to the PostgreSQL server could be made for a minute (it is down, or unreachable from here)"
        }
        return describe(error)
    }

    /// The SQLSTATE of a server error, if that is what `error` is (inside a transaction error too).
    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PostgresTransactionError {
            return (error.closureError ?? error.commitError ?? error.beginError).flatMap(sqlState)
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    private static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connection refused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }

    /// A `StoreError` for any error (errors already in Forage's words pass through).
    static func storeError(_ error: any Error) -> any Error {
        if error is StoreError || error is RegistryError { return error }
        return StoreError.database(of(error))
    }
}

/// Removes a password from a URL shown in a message.
enum Redact {
    static func url(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
