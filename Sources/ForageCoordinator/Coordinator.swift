import ForageHTTP
import ForageCore
import ForageEngine
import ForageRemote
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Where and how a coordinator listens (`forage run --listen HOST:PORT --token-file F`).
public struct CoordinatorConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var token: String
    /// How long a finished run keeps answering so that its idle workers hear it is over.
    public var farewell: Duration = .seconds(2)
    /// A request (head and body) that has not arrived this long after its first byte gets 408 and its connection is
    /// closed; an artifact upload gets one more second for every `minimumUploadRate` bytes received.
    public var requestTimeout: Duration = .seconds(5)
    /// Bytes per second an upload must keep up to stay within its deadline.
    public var minimumUploadRate = 256 << 10
    /// A connection with nothing to send for this long is closed.
    public var idleTimeout: Duration = .seconds(120)
    /// HTTPS with this certificate and key (`--tls-cert`/`--tls-key`); nil serves plain HTTP.
    public var tls: ServerTLS?

    public init(host: String, port: Int, token: String) {
        self.host = host
        self.port = port
        self.token = token
    }

    /// Whether the address only accepts connections from this machine.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}

/// A run that also hands trials to remote workers: the engine and the coordinator API (Hummingbird) side by side.
/// The API listens before the first trial starts and stops once the run has ended and every worker seen has been
/// told so (or after `farewell`).
public enum Coordinator {
    public static func run(
        _ engine: SearchEngine, spec: CoordinatorAPI.SpecDocument, configuration: CoordinatorConfiguration, logger: Logger,
        onListening: @escaping @Sendable (String, Int) -> Void
    ) async throws -> RunSummary {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(BearerTokenMiddleware(token: Array(configuration.token.utf8)))
        CoordinatorEndpoints(engine: engine, spec: spec).add(to: router)
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self)
        let deadline = RequestDeadline(timeout: configuration.requestTimeout, minimumRate: configuration.minimumUploadRate) { message in
            CoordinatorEndpoints.errorText(message)
        }
        let timeoutLogger = logger
        let app = Application(
            router: router,
            server: ServeChannel.builder(idleTimeout: configuration.idleTimeout, deadline: deadline, requestEnd: nil, tls: configuration.tls) {
                timeoutLogger.warning("closed a connection whose request did not arrive within the request timeout (slow client)")
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "forage-coordinator"),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? configuration.port)
                boundContinuation.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let server = Task {
            defer { boundContinuation.finish() }
            try await services.run()
        }
        var port: Int?
        for await value in bound {
            port = value
            break
        }
        guard let port else {
            // The server stopped before it listened: its error says why (the port is taken, the address is wrong).
            do {
                try await server.value
            } catch {
                throw ListenError.explaining(
                    error, host: configuration.host, port: configuration.port,
                    busyHint: "is another coordinator running? --listen HOST:0 picks a free port")
            }
            throw CoordinatorError.notListening("\(configuration.host):\(configuration.port)")
        }
        onListening(configuration.host, port)
        let summary: RunSummary
        do {
            summary = try await engine.run()
        } catch {
            await services.triggerGracefulShutdown()
            _ = await server.result
            throw error
        }
        await farewell(engine, limit: configuration.farewell)
        await services.triggerGracefulShutdown()
        _ = await server.result
        return summary
    }

    /// Waits until every worker that asked for work has been told the run is over, at most `limit`.
    private static func farewell(_ engine: SearchEngine, limit: Duration) async {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            let workers = await engine.remoteWorkers
            if workers.seen.isSubset(of: workers.told) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Why a coordinator could not start.
public enum CoordinatorError: Error, CustomStringConvertible {
    case notListening(String)

    public var description: String {
        switch self {
        case .notListening(let address): return "the coordinator could not listen on \(address)"
        }
    }
}
