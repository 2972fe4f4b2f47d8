import ForageCore
import ForageServer
import ForageEngine
import ForageBackends
import ForageML
import ForageRegistry
import ForageStore
import ForageRemote
import Foundation
import Logging
import Synchronization

/// `forage bench serve`: starts the prediction service in this process on a free loopback port and drives it with
/// keep-alive connections (one blocking client thread each), measuring requests/s and p50/p99 latency for 1-row
/// and 100-row `{"inputs": …}` bodies. Two servers run side by side, one with drift monitoring and one with
/// `--no-drift`, measured in turn, so the cost of drift monitoring is read in one run.
public enum ServeBenchmark {
    /// One load run's figures.
    public struct Result: Sendable {
        public var drift: Bool
        public var rows: Int
        public var connections: Int
        public var seconds: Double
        public var requests: Int
        public var failures: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var requestsPerSecond: Double { Double(requests) / seconds }
    }

    public static func run(
        reference: ModelReference, registry: any ModelRegistry, connections: Int, seconds: Double, rowCounts: [Int] = [1, 100],
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> [Result] {
        let model = try await ModelLoader(registry: registry).load(reference).model
        var logger = Logger(label: "forage.bench")
        logger.logLevel = .critical
        var servers: [Task<Void, any Error>] = []
        defer { for server in servers { server.cancel() } }
        var ports: [Bool: Int] = [:]
        for drift in [false, true] {
            let port = Mutex<Int?>(nil)
            var configuration = ServeConfiguration(host: "127.0.0.1", port: 0, accessLog: false)
            configuration.drift = drift ? DriftSettings() : nil
            let serverLogger = logger
            servers.append(
                Task {
                    try await PredictionServer.run(
                        reference: reference, registry: registry, configuration: configuration, logger: serverLogger, handleSignals: false
                    ) { _, bound in port.withLock { $0 = bound } }
                })
            var bound: Int?
            for _ in 0..<200 where bound == nil {
                try await Task.sleep(for: .milliseconds(25))
                bound = port.withLock { $0 }
            }
            guard let bound else { throw HTTPTransportError("the server did not start") }
            ports[drift] = bound
        }
        var results: [Result] = []
        for rows in rowCounts {
            let body = Self.body(rows: rows, columns: model.file.header.encoder.columns)
            let request = HTTPConnection.request(method: "POST", path: "/invocations", body: body)
            for drift in [false, true] {
                guard let port = ports[drift] else { continue }
                let mode = drift ? "drift on" : "drift off"
                progress("warming up (\(rows) row\(rows == 1 ? "" : "s"), \(body.count) bytes, \(mode))…")
                _ = load(port: port, request: request, connections: connections, seconds: min(1, seconds / 4), rows: rows, drift: drift)
                progress("measuring \(rows) row\(rows == 1 ? "" : "s") for \(seconds) s with \(connections) connections, \(mode)…")
                results.append(load(port: port, request: request, connections: connections, seconds: seconds, rows: rows, drift: drift))
            }
        }
        return results
    }

    /// A `{"inputs": [[…]]}` body with deterministic values (the first category for categorical columns).
    static func body(rows: Int, columns: [FeatureEncoder.Column]) -> Data {
        var generator = SplitMixGenerator(seed: 7)
        let lines = (0..<rows).map { _ in
            "[" + columns.map { column -> String in
                switch column {
                case .numeric: return String(Double(generator.next() % 1700) / 100)
                case .categorical(_, let categories): return JSONText.quoted(categories.first ?? "")
                }
            }.joined(separator: ",") + "]"
        }
        return Data(#"{"inputs":[\#(lines.joined(separator: ","))]}"#.utf8)
    }

    /// Runs `connections` client threads for `seconds` and gathers their latencies.
    static func load(port: Int, request: [UInt8], connections: Int, seconds: Double, rows: Int, drift: Bool) -> Result {
        let latencies = Mutex<[UInt64]>([])
        let failures = Mutex(0)
        let group = DispatchGroup()
        let startedAt = DispatchTime.now().uptimeNanoseconds
        let deadline = startedAt + UInt64(seconds * 1e9)
        for _ in 0..<connections {
            group.enter()
            let thread = Thread {
                let client = HTTPConnection(host: "127.0.0.1", port: port)
                var mine: [UInt64] = []
                mine.reserveCapacity(200_000)
                var failed = 0
                while true {
                    let begin = DispatchTime.now().uptimeNanoseconds
                    if begin >= deadline { break }
                    do {
                        let response = try client.send(raw: request)
                        if response.status != 200 { failed += 1 }
                    } catch {
                        failed += 1
                    }
                    mine.append(DispatchTime.now().uptimeNanoseconds - begin)
                }
                latencies.withLock { $0.append(contentsOf: mine) }
                failures.withLock { $0 += failed }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - startedAt) / 1e9
        let sorted = latencies.withLock { $0 }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
        }
        return Result(
            drift: drift, rows: rows, connections: connections, seconds: elapsed, requests: sorted.count, failures: failures.withLock { $0 },
            p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99))
    }

    /// The figures as a table.
    public static func table(_ results: [Result]) -> String {
        var lines = ["drift  rows  connections  requests  req/s     p50 ms  p90 ms  p99 ms  failed"]
        for r in results {
            lines.append(
                (r.drift ? "on     " : "off    ")
                    + String(
                        format: "%-4d  %-11d  %-8d  %-8.0f  %-6.3f  %-6.3f  %-6.3f  %d", r.rows, r.connections, r.requests, r.requestsPerSecond, r.p50,
                        r.p90, r.p99, r.failures))
        }
        for rows in Set(results.map(\.rows)).sorted() {
            guard let off = results.first(where: { $0.rows == rows && !$0.drift }), let on = results.first(where: { $0.rows == rows && $0.drift }),
                off.requestsPerSecond > 0
            else { continue }
            let cost = String(format: "%.1f%%", 100 * (1 - on.requestsPerSecond / off.requestsPerSecond))
            lines.append("\(rows) row\(rows == 1 ? "" : "s"): drift monitoring costs \(cost) of the throughput")
        }
        return lines.joined(separator: "\n")
    }
}

/// SplitMix64, for deterministic benchmark bodies.
struct SplitMixGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
