import ForageStore
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// A connection pool to one PostgreSQL database, running for as long as the value lives.
///
/// Every query goes through here: errors come out in Forage's words (`StoreError.database` with the server's
/// message), and transactions are retried once when the server reports a serialization failure or deadlock.
public final class PostgresDatabase: Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    /// How calls ride out a lost connection.
    let retry: PostgresRetry
    private let runner: Task<Void, Never>
    /// Silent unless `FORAGE_POSTGRES_TRACE` is set: then the pool's and the driver's own events (connections made
    /// and closed, each query) go to standard error, for finding out what a stalled call waits for.
    static let logger: Logger = {
        guard ProcessInfo.processInfo.environment["FORAGE_POSTGRES_TRACE"] != nil else { return Logger(label: "forage.postgres") }
        var logger = Logger(label: "forage.postgres", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = .trace
        return logger
    }()

    /// Opens the pool (connections are made on first use). A call whose connection is lost is retried on a fresh
    /// one for up to `reconnectWithin` before it fails (`PostgresRetry`).
    public init(_ location: PostgresLocation, maximumConnections: Int = 8, reconnectWithin: Duration = .seconds(20)) {
        self.location = location
        retry = PostgresRetry(bound: reconnectWithin)
        var configuration: PostgresClient.Configuration
        if let socket = location.socketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: (socket as NSString).appendingPathComponent(".s.PGSQL.\(location.port)"), username: location.user,
                password: location.password, database: location.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            // libpq's `require` encrypts without verifying the server's certificate; so does Forage.
            tlsConfiguration.certificateVerification = .none
            switch location.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(tlsConfiguration)
            case .require: tls = .require(tlsConfiguration)
            }
            configuration = PostgresClient.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: tls)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.keepAliveBehavior = nil
        configuration.options.additionalStartupParameters = Self.sessionSettings
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// Settings every session asks the server for, so that a client the network lost, or a frozen process, cannot
    /// hold what others wait for: the server probes an idle connection after 5 s and drops it after 3 unanswered
    /// probes 2 s apart, gives up on unacknowledged data after 10 s (both only over TCP), and ends a session left
    /// idle inside a transaction for 15 s. A dropped session releases its row locks and its advisory lock (the
    /// driver's role), so a partitioned driver or worker is replaced instead of stalling the search for the
    /// operating system's default of about two hours.
    static let sessionSettings: [(String, String)] = [
        ("tcp_keepalives_idle", "5"), ("tcp_keepalives_interval", "2"), ("tcp_keepalives_count", "3"),
        ("tcp_user_timeout", "10000"), ("idle_in_transaction_session_timeout", "15000"),
    ]

    /// Runs one statement and returns its rows, decoded by `body` one at a time; retried on a lost connection.
    func rows<T>(_ query: PostgresQuery, _ body: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        try await rows({ _ in query }, body)
    }

    /// Runs the statement `make` gives (told whether this is a retry after a lost connection, so a statement can
    /// recognise a first try that landed) and returns its rows, decoded by `body` one at a time.
    func rows<T>(_ make: (_ retry: Bool) -> PostgresQuery, _ body: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        do {
            return try await retry.run { again in
                let lease = try await PostgresLease.take(from: client)
                defer { lease.release() }
                return try await lease.connection.rows(make(again), body)
            }
        } catch {
            throw PostgresMessage.storeError(error)
        }
    }

    /// Runs one statement whose rows do not matter; retried on a lost connection.
    func execute(_ query: PostgresQuery) async throws {
        do {
            try await retry.run { _ in
                try await client.withConnection { connection in try await connection.run(query) }
            }
        } catch {
            throw PostgresMessage.storeError(error)
        }
    }

    /// Runs `body` in one transaction (`READ COMMITTED`), committed when it returns; retried (from the start, on a
    /// fresh connection) on a serialization failure, a deadlock or a lost connection.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await retry.run { _ in
                    let lease = try await PostgresLease.take(from: client)
                    defer { lease.release() }
                    return try await lease.connection.transaction(body)
                }
            } catch {
                if attempt < 3, let state = PostgresMessage.sqlState(error), state == "40001" || state == "40P01" { continue }
                // A transaction body that failed on its own terms (a Forage error) comes out as it is.
                if error is StoreError || error is RegistryError { throw error }
                throw PostgresMessage.storeError(error)
            }
        }
    }

    /// Runs `body` on one connection of the pool (for sessions: advisory locks, LISTEN).
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresMessage.storeError(error)
        }
    }
}

extension PostgresConnection {
    /// Runs one statement inside a transaction and returns its rows, decoded by `body`.
    func rows<T>(_ query: PostgresQuery, _ body: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in try await send(query) {
            result.append(try body(row.makeRandomAccess()))
        }
        return result
    }

    /// The first row of a statement, decoded by `body`, or nil.
    func row<T>(_ query: PostgresQuery, _ body: (PostgresRandomAccessRow) throws -> T) async throws -> T? {
        try await rows(query, body).first
    }

    /// Runs a statement whose rows do not matter (a statement whose count matters says `RETURNING` and is read
    /// through `rows`).
    func run(_ query: PostgresQuery) async throws {
        for try await _ in try await send(query) {}
    }
}

extension PostgresRandomAccessRow {
    /// The column `name` decoded as `T` (an Optional for nullable columns).
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self)
    }
}
