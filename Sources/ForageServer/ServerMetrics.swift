import CoreMetrics
import Prometheus
import Synchronization

/// The service's Prometheus metrics through swift-metrics (with its own factory, so no global bootstrap is needed):
/// requests by endpoint and status, latency histograms, errors, predicted rows and the model version served.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private struct Key: Hashable {
        let endpoint: String
        let status: Int
    }

    private let counters = Mutex<[Key: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let rows: CoreMetrics.Counter
    private let errors: CoreMetrics.Counter
    private let version: CoreMetrics.Gauge
    private let swaps: CoreMetrics.Counter
    private let loadFailures: CoreMetrics.Counter

    init(version initial: Int) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1),
        ]
        self.factory = factory
        rows = CoreMetrics.Counter(label: "forage_predicted_rows_total", factory: factory)
        errors = CoreMetrics.Counter(label: "forage_request_errors_total", factory: factory)
        version = CoreMetrics.Gauge(label: "forage_model_version", factory: factory)
        swaps = CoreMetrics.Counter(label: "forage_model_swaps_total", factory: factory)
        loadFailures = CoreMetrics.Counter(label: "forage_model_load_failures_total", factory: factory)
        version.record(initial)
    }

    /// One finished request.
    func request(endpoint: String, status: Int, nanoseconds: Int64) {
        let key = Key(endpoint: endpoint, status: status)
        let counter = counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = CoreMetrics.Counter(label: "forage_requests_total", dimensions: [("endpoint", endpoint), ("status", String(status))], factory: factory)
            cache[key] = counter
            return counter
        }
        counter.increment()
        let timer = timers.withLock { cache in
            if let timer = cache[endpoint] { return timer }
            let timer = CoreMetrics.Timer(label: "forage_request_duration_seconds", dimensions: [("endpoint", endpoint)], factory: factory)
            cache[endpoint] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
        if status >= 400 { errors.increment() }
    }

    func predicted(rows count: Int) { rows.increment(by: count) }

    func modelSwapped(to number: Int) {
        version.record(number)
        swaps.increment()
    }

    func loadFailed() { loadFailures.increment() }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}
