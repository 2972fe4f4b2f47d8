import ForageHTTP
import ForageML
import ForageRegistry
import ForageStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `forage serve`: loads a registry version, answers predictions over HTTP (Hummingbird) and follows the alias.
/// SIGTERM/SIGINT drain in-flight requests and return.
public enum PredictionServer {
    /// Loads `reference`, binds, calls `onRunning(host, port)` once listening, and serves until a signal (or until
    /// the calling task is cancelled when `handleSignals` is false).
    public static func run(
        reference: ModelReference, registry: any ModelRegistry, configuration: ServeConfiguration, logger: Logger,
        handleSignals: Bool = true, onRunning: @escaping @Sendable (String, Int) -> Void
    ) async throws {
        BLASThreads.set(1)
        let loader = ModelLoader(registry: registry)
        let served = ServedModel(try await loader.load(reference))
        let metrics = ServerMetrics(version: served.snapshot.version.version)
        let plan = configuration.rollout
        var canary: ServedModel?
        if let target = plan.canary { canary = ServedModel(try await loader.load(target.reference)) }
        var shadow: ServedModel?
        if let target = plan.shadow { shadow = ServedModel(try await loader.load(target)) }
        try RolloutError.check(.canary, canary, against: served)
        try RolloutError.check(.shadow, shadow, against: served)
        let rollout = Rollout(primary: served, canary: canary, shadow: shadow, plan: plan, metrics: metrics)
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(AccessLogMiddleware(logger: logger, metrics: metrics, enabled: configuration.accessLog))
        let drift = configuration.drift.map { DriftMonitor(settings: $0, factory: metrics.factory, logger: logger) }
        let endpoints = PredictionEndpoints(rollout: rollout, drift: drift, reference: reference, metrics: metrics, maxBodyBytes: configuration.maxBodyBytes)
        endpoints.add(to: router)
        let timeoutLogger = logger
        let listening = ListeningFlag()
        let deadline = RequestDeadline(timeout: configuration.requestTimeout, minimumRate: nil) { message in
            String(buffer: PredictionEndpoints.errorBody(code: "REQUEST_TIMEOUT", message))
        }
        let fastLane = InvocationsFastLane.Configuration(
            endpoints: endpoints, logger: logger, accessLog: configuration.accessLog, serverName: "forage")
        let server = ServeChannel.builder(
            idleTimeout: configuration.idleTimeout, deadline: deadline,
            requestEnd: { watch in InvocationsFastLane(fastLane, watch: watch) }, tls: configuration.tls
        ) {
            metrics.requestTimedOut()
            timeoutLogger.warning("closed a connection whose request did not arrive within the request timeout (slow client)")
        }
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "forage"),
            onServerRunning: { channel in
                listening.set()
                onRunning(configuration.host, channel.localAddress?.port ?? configuration.port)
            },
            logger: logger)
        // Each model named by an alias or by its name alone is followed as it moves.
        var followed: [(ModelReference, ServedModel, RolloutRole)] = [(reference, served, .primary)]
        if let canary, let canaryReference = plan.canary?.reference { followed.append((canaryReference, canary, .canary)) }
        if let shadow, let shadowReference = plan.shadow { followed.append((shadowReference, shadow, .shadow)) }
        let followers = followed.compactMap { (reference, model, role) -> Task<Void, Never>? in
            if case .version = reference.selector { return nil }
            let watcher = ModelFollower(
                reference: reference, loader: loader, served: model, interval: configuration.pollInterval, metrics: metrics, logger: logger,
                role: role)
            return Task { await watcher.run() }
        }
        // Drift past the threshold is logged once, found by a check every second.
        let driftCheck = drift.map { monitor in
            Task {
                while (try? await Task.sleep(for: .seconds(1))) != nil { monitor.refresh(for: served.snapshot) }
            }
        }
        defer {
            for follower in followers { follower.cancel() }
            driftCheck?.cancel()
        }
        do {
            if handleSignals {
                // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, but never wait longer than the drain limit.
                var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                group.maximumGracefulShutdownDuration = configuration.drainTimeout
                try await ServiceGroup(configuration: group).run()
            } else {
                try await app.run()
            }
        } catch where !listening.isListening {
            throw ListenError.explaining(error, host: configuration.host, port: configuration.port, busyHint: "is another forage serve running?")
        }
    }
}
