import ArgumentParser
import ForageBench
import ForageRegistry
import ForageStore
import ForageServer
import ForageHTTP
import Foundation

extension Forage {
    /// `forage serve M[@A|:V]`: the prediction service.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a registered model over HTTP (MLflow-compatible /invocations; /ping, /health, /version, /metrics, /rollout, /drift); follows the alias; optional canary and shadow.")

        @Argument(help: "NAME (latest version), NAME@ALIAS (followed as it moves) or NAME:VERSION.")
        var reference: String

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "Port (0 picks a free one; the bound address is printed).")
        var port = 8080

        @Option(help: "Largest request body (e.g. 8MB, 512KB); larger bodies get 413.")
        var maxBody = "8MB"

        @Option(help: "Seconds between registry polls for a moved alias.")
        var poll = 0.5

        @Option(help: "Seconds a connection may stay idle (a stalled client) before it is closed.")
        var idleTimeout = 30.0

        @Option(
            name: [.customLong("request-timeout"), .customLong("body-timeout")],
            help: "Seconds a request (headers and body) may take to arrive, from its first byte, before it gets 408 and the connection is closed.")
        var requestTimeout = 5.0

        @Option(help: "On SIGTERM/SIGINT, seconds in-flight requests may take before the server stops anyway.")
        var drainTimeout = 10.0

        @Flag(help: "Do not write access-log lines.")
        var noAccessLog = false

        @Option(help: "A canary answering a share of requests, e.g. digits@staging:10% (sticky by the X-Request-Id header; followed as its alias moves).")
        var canary: String?

        @Option(help: "A shadow predicting a copy of every request off the response path (agreement in /rollout and /metrics), e.g. digits@staging.")
        var shadow: String?

        @Flag(help: "Turn drift monitoring off (/drift, forage_feature_drift_psi).")
        var noDrift = false

        @Option(help: "Drift monitoring: how many of the latest rows the window holds.")
        var driftWindow = 10_000

        @Option(help: "Drift monitoring: the population stability index past which a feature is flagged (and logged once).")
        var driftThreshold = 0.2

        @Option(help: "Serve HTTPS with this PEM certificate (chain); needs --tls-key.")
        var tlsCert: String?

        @Option(help: "The PEM private key of --tls-cert.")
        var tlsKey: String?

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
            guard driftWindow > 0, driftThreshold > 0 else { throw ValidationError("--drift-window and --drift-threshold must be positive") }
            guard ServeConfiguration.parseSize(maxBody) != nil else { throw ValidationError("--max-body must be a size such as 8MB or 1048576") }
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
            if let canary, RolloutPlan.Canary(parsing: canary) == nil {
                throw ValidationError("--canary must be NAME@ALIAS:PERCENT% or NAME:VERSION:PERCENT% with 0 < PERCENT < 100, e.g. digits@staging:10%")
            }
            guard poll > 0, idleTimeout > 0, requestTimeout > 0, drainTimeout > 0 else {
                throw ValidationError("--poll, --idle-timeout, --request-timeout and --drain-timeout must be positive")
            }
        }

        func run() async throws {
            try await reportingErrors {
                // A bad certificate or key is refused before the store is opened or a port is bound.
                let tls = try tlsCert.map { certificate in try ServerTLS(certificate: certificate, key: tlsKey ?? "") }
                let registry = (try await storeOptions.open(.read)).registry
                var configuration = ServeConfiguration(
                    host: host, port: port, maxBodyBytes: ServeConfiguration.parseSize(maxBody) ?? 8 << 20,
                    pollInterval: .milliseconds(Int(poll * 1000)), idleTimeout: .milliseconds(Int(idleTimeout * 1000)),
                    accessLog: !noAccessLog)
                configuration.requestTimeout = .milliseconds(Int(requestTimeout * 1000))
                configuration.drainTimeout = .milliseconds(Int(drainTimeout * 1000))
                configuration.tls = tls
                let reference = try modelReference(reference)
                configuration.drift = noDrift ? nil : DriftSettings(window: driftWindow, threshold: driftThreshold)
                configuration.rollout = RolloutPlan(
                    canary: canary.flatMap(RolloutPlan.Canary.init(parsing:)), shadow: try shadow.map(modelReference))
                try await PredictionServer.run(
                    reference: reference, registry: registry, configuration: configuration, logger: ServerLogging.logger()
                ) { host, port in
                    FileHandle.standardOutput.write(Data("serving \(reference) on \(tls == nil ? "http" : "https")://\(host):\(port)\n".utf8))
                }
                printNote("stopped")
            }
        }
    }
}

extension Forage.Bench {
    /// `forage bench serve M[@A|:V]`: the prediction service under load on loopback.
    struct ServeLoad: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serving throughput: req/s and p50/p99 latency for 1-row and 100-row requests, in-process client over loopback.")

        @Argument(help: "The registered model to serve: NAME, NAME@ALIAS or NAME:VERSION.")
        var reference: String

        @Option(help: "Concurrent keep-alive connections (one client thread each).")
        var connections = 8

        @Option(help: "Seconds per measurement.")
        var seconds = 5.0

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                BenchSupport.noteIfDebugBuild()
                let registry = (try await storeOptions.open(.read)).registry
                let results = try await ServeBenchmark.run(
                    reference: try modelReference(reference), registry: registry, connections: connections, seconds: seconds
                ) { printNote($0) }
                print(ServeBenchmark.table(results))
            }
        }
    }
}
