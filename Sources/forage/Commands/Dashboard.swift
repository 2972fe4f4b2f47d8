import ArgumentParser
import ForageServer
import ForageDashboard
import ForageHTTP
import Foundation

extension Forage {
    /// `forage dashboard`: a read-only, live web view of the store's experiments.
    struct Dashboard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a read-only, live web view of the store's experiments (plots, progress, leaderboards).")

        @Option(help: "The address to listen on (loopback by default).")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on; 0 picks a free one (the bound port is printed).")
        var port = 8081

        @Option(help: "Serve HTTPS with this PEM certificate (chain); needs --tls-key.")
        var tlsCert: String?

        @Option(help: "The PEM private key of --tls-cert.")
        var tlsKey: String?

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        }

        func run() async throws {
            try await reportingErrors {
                let tls = try tlsCert.map { certificate in try ServerTLS(certificate: certificate, key: tlsKey ?? "") }
                let store = (try await storeOptions.open(.read)).experiments
                let host = self.host
                let scheme = tls == nil ? "http" : "https"
                try await DashboardServer(store: store, host: host, port: port, tls: tls).run { bound in
                    FileHandle.standardOutput.write(Data("dashboard on \(scheme)://\(host):\(bound)/ (read-only; Ctrl-C to stop)\n".utf8))
                }
            }
        }
    }
}
