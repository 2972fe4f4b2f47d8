import CoreMetrics
import Prometheus
import Synchronization

/// The service's Prometheus metrics through swift-metrics (with its own factory, so no global bootstrap is needed):
/// requests by endpoint and status, latency histograms, errors, predicted rows, categorical values never seen in
/// training, request columns the model does not use, and the model version served.
/// Recording a 200 takes no lock and no string hashing (those counters and the timers are made up front); other
/// statuses' counters are made on first use.
final class ServerMetrics: Sendable {
    /// The bounded `endpoint` label.
    enum Endpoint: Int, CaseIterable, Sendable {
        case invocations, ping, health, version, metrics, rollout, drift, other

        var label: String {
            switch self {
            case .invocations: return "invocations"
            case .ping: return "ping"
            case .health: return "health"
            case .version: return "version"
            case .metrics: return "metrics"
            case .rollout: return "rollout"
            case .drift: return "drift"
            case .other: return "other"
            }
        }

        init(path: String) {
            switch path {
            case "/invocations": self = .invocations
            case "/ping": self = .ping
            case "/health": self = .health
            case "/version": self = .version
            case "/metrics": self = .metrics
            case "/rollout": self = .rollout
            case "/drift": self = .drift
            default: self = .other
            }
        }
    }

    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private struct Key: Hashable {
        let endpoint: Int
        let status: Int
    }

    /// Statuses whose counters exist from the start, per endpoint.
    private static let commonStatuses = [200]
    private let common: [[CoreMetrics.Counter]]
    private let others = Mutex<[Key: CoreMetrics.Counter]>([:])
    private let timers: [CoreMetrics.Timer]
    private let rows: CoreMetrics.Counter
    private let unseen: CoreMetrics.Counter
    private let dropped: CoreMetrics.Counter
    private let errors: CoreMetrics.Counter
    private let version: CoreMetrics.Gauge
    private let swaps: CoreMetrics.Counter
    private let loadFailures: CoreMetrics.Counter
    private let droppedComparisons: CoreMetrics.Counter
    private let droppedComparisonCount = Atomic<Int>(0)

    init(version initial: Int) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1),
        ]
        self.factory = factory
        common = Endpoint.allCases.map { endpoint in
            Self.commonStatuses.map { status in
                CoreMetrics.Counter(
                    label: "forage_requests_total", dimensions: [("endpoint", endpoint.label), ("status", String(status))], factory: factory)
            }
        }
        timers = Endpoint.allCases.map { endpoint in
            CoreMetrics.Timer(label: "forage_request_duration_seconds", dimensions: [("endpoint", endpoint.label)], factory: factory)
        }
        rows = CoreMetrics.Counter(label: "forage_predicted_rows_total", factory: factory)
        unseen = CoreMetrics.Counter(label: "forage_unseen_categories_total", factory: factory)
        dropped = CoreMetrics.Counter(label: "forage_dropped_columns_total", factory: factory)
        errors = CoreMetrics.Counter(label: "forage_request_errors_total", factory: factory)
        version = CoreMetrics.Gauge(label: "forage_model_version", factory: factory)
        swaps = CoreMetrics.Counter(label: "forage_model_swaps_total", factory: factory)
        loadFailures = CoreMetrics.Counter(label: "forage_model_load_failures_total", factory: factory)
        droppedComparisons = CoreMetrics.Counter(label: "forage_rollout_comparisons_dropped_total", factory: factory)
        version.record(initial)
    }

    private func counter(_ endpoint: Endpoint, status: Int) -> CoreMetrics.Counter {
        if let index = Self.commonStatuses.firstIndex(of: status) { return common[endpoint.rawValue][index] }
        let key = Key(endpoint: endpoint.rawValue, status: status)
        return others.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "forage_requests_total", dimensions: [("endpoint", endpoint.label), ("status", String(status))], factory: factory)
            cache[key] = counter
            return counter
        }
    }

    /// One finished request.
    func request(endpoint: Endpoint, status: Int, nanoseconds: Int64) {
        counter(endpoint, status: status).increment()
        timers[endpoint.rawValue].recordNanoseconds(nanoseconds)
        if status >= 400 { errors.increment() }
    }

    /// A connection closed because its request did not arrive in time (no handler ran, so no latency).
    func requestTimedOut() {
        counter(.other, status: 408).increment()
        errors.increment()
    }

    func predicted(rows count: Int) { rows.increment(by: count) }

    /// Categorical values of a request that training never saw (answered as if missing).
    func unseenCategories(_ count: Int) { unseen.increment(by: count) }

    /// Columns a request named that the model does not use (dropped).
    func droppedColumns(_ count: Int) { dropped.increment(by: count) }

    func modelSwapped(to number: Int, role: RolloutRole = .primary) {
        if role == .primary { version.record(number) }
        swaps.increment()
    }

    func loadFailed() { loadFailures.increment() }

    /// A canary or shadow comparison skipped because too many were waiting.
    func comparisonDropped() {
        droppedComparisons.increment()
        droppedComparisonCount.add(1, ordering: .relaxed)
    }

    var comparisonsDropped: Int { droppedComparisonCount.load(ordering: .relaxed) }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}
