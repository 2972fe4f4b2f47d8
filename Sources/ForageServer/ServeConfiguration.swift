import ForageHTTP

/// How `forage serve` listens and behaves.
public struct ServeConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (printed at start).
    public var port: Int
    /// Larger bodies get 413.
    public var maxBodyBytes: Int
    /// How often the registry is polled for a moved alias.
    public var pollInterval: Duration
    /// A connection idle this long (a stalled client) is closed.
    public var idleTimeout: Duration
    /// Write one access-log line per request (swift-log, stderr).
    public var accessLog: Bool
    /// On SIGTERM, how long in-flight requests may take before the server stops anyway.
    public var drainTimeout: Duration = .seconds(10)
    /// A request (head and body) that has not fully arrived this long after its first byte gets 408 and its
    /// connection is closed (slow clients: headers or body sent a few bytes at a time).
    public var requestTimeout: Duration = .seconds(5)
    /// A canary and/or shadow beside the main model.
    public var rollout = RolloutPlan()
    /// Drift monitoring of the primary model's live inputs and predictions; nil turns it off (`--no-drift`).
    public var drift: DriftSettings? = DriftSettings()
    /// TLS (`--tls-cert`, `--tls-key`); nil serves plain HTTP.
    public var tls: ServerTLS?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 << 20, pollInterval: Duration = .milliseconds(500),
        idleTimeout: Duration = .seconds(30), accessLog: Bool = true
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.pollInterval = pollInterval
        self.idleTimeout = idleTimeout
        self.accessLog = accessLog
    }

    /// Parses sizes such as `8MB`, `512KB`, `1048576` (binary units).
    public static func parseSize(_ text: String) -> Int? {
        let upper = text.uppercased().trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1)] {
            if upper.hasSuffix(suffix), let value = Double(upper.dropLast(suffix.count)), value > 0 { return Int(value * Double(factor)) }
        }
        return Int(upper).flatMap { $0 > 0 ? $0 : nil }
    }
}

import Foundation

/// How `forage serve` watches for drift: the sliding window's size, the PSI past which a feature is flagged, and
/// how many rows the window must hold before anything is flagged.
public struct DriftSettings: Sendable, Equatable {
    public var window: Int
    public var threshold: Double
    public var minimumRows: Int

    public init(window: Int = 10_000, threshold: Double = 0.2, minimumRows: Int = 500) {
        self.window = window
        self.threshold = threshold
        self.minimumRows = minimumRows
    }
}
