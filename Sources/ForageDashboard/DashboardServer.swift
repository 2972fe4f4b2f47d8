import ForageHTTP
import ForageStore
import Foundation
import Hummingbird
import HummingbirdTLS

/// `forage dashboard`: a read-only web view of a store. The list of experiments with their state and progress, and
/// each experiment's report page, refreshing live while a search runs. It opens the store without creating it and
/// only reads, in short WAL read transactions, so it never blocks the process writing trials.
public struct DashboardServer: Sendable {
    public var store: any ExperimentReader
    public var host: String
    public var port: Int
    /// HTTPS with this certificate and key; nil serves plain HTTP.
    public var tls: ServerTLS?

    public init(store: any ExperimentReader, host: String = "127.0.0.1", port: Int = 8081, tls: ServerTLS? = nil) {
        self.store = store
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Serves until the process is interrupted; `onBound` receives the port actually bound (useful with port 0).
    public func run(onBound: @escaping @Sendable (Int) -> Void) async throws {
        let pages = DashboardPages(store: store)
        let router = Router()
        DashboardRoutes.add(to: router, pages: pages)
        let listening = ListeningFlag()
        let app = Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: "forage-dashboard"),
            onServerRunning: { channel in
                listening.set()
                onBound(channel.localAddress?.port ?? 0)
            })
        do {
            try await app.runService()
        } catch where !listening.isListening {
            throw ListenError.explaining(error, host: host, port: port, busyHint: "is another forage dashboard running?")
        }
    }
}
