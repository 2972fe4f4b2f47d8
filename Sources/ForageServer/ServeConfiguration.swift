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
