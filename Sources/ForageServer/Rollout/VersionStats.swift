import CoreMetrics
import ForageCore
import Foundation
import Prometheus
import Synchronization

/// What one model version did in one rollout role: requests, errors, predicted rows, the latency of its recent
/// answers (for percentiles) and, for a canary or shadow, how often it agreed with the answer of the other side.
/// Each figure is also a Prometheus series labelled `role` and `version`.
final class VersionStats: Sendable {
    let role: RolloutRole
    let version: Int
    /// Classification compares labels (share of rows agreeing); regression the absolute difference of values.
    let classification: Bool

    private struct State {
        var requests = 0
        var errors = 0
        var rows = 0
        /// The latest answers' latencies in seconds, as a ring.
        var latencies: [Double] = []
        var next = 0
        var comparedRows = 0
        var agreeingRows = 0
        var absoluteDifference = 0.0
        var failedComparisons = 0
    }

    /// How many recent latencies the percentiles are taken over.
    static let latencyWindow = 10_000
    private let state = Mutex(State())
    private let requestsCounter: CoreMetrics.Counter
    private let errorsCounter: CoreMetrics.Counter
    private let rowsCounter: CoreMetrics.Counter
    private let timer: CoreMetrics.Timer
    private let comparedCounter: CoreMetrics.Counter?
    private let agreementGauge: CoreMetrics.Gauge?

    init(role: RolloutRole, version: Int, classification: Bool, factory: PrometheusMetricsFactory) {
        self.role = role
        self.version = version
        self.classification = classification
        let labels = [("role", role.rawValue), ("version", String(version))]
        requestsCounter = CoreMetrics.Counter(label: "forage_rollout_requests_total", dimensions: labels, factory: factory)
        errorsCounter = CoreMetrics.Counter(label: "forage_rollout_request_errors_total", dimensions: labels, factory: factory)
        rowsCounter = CoreMetrics.Counter(label: "forage_rollout_predicted_rows_total", dimensions: labels, factory: factory)
        timer = CoreMetrics.Timer(label: "forage_rollout_request_duration_seconds", dimensions: labels, factory: factory)
        if role == .primary {
            comparedCounter = nil
            agreementGauge = nil
        } else {
            comparedCounter = CoreMetrics.Counter(label: "forage_rollout_compared_rows_total", dimensions: labels, factory: factory)
            agreementGauge = CoreMetrics.Gauge(
                label: classification ? "forage_rollout_agreement_ratio" : "forage_rollout_mean_abs_difference", dimensions: labels,
                factory: factory)
        }
    }

    /// One answered (or refused) request.
    func request(ok: Bool, rows: Int, nanoseconds: Int64) {
        requestsCounter.increment()
        if !ok { errorsCounter.increment() }
        if rows > 0 { rowsCounter.increment(by: rows) }
        timer.recordNanoseconds(nanoseconds)
        let seconds = Double(nanoseconds) / 1e9
        state.withLock { state in
            state.requests += 1
            if !ok { state.errors += 1 }
            state.rows += rows
            if state.latencies.count < Self.latencyWindow {
                state.latencies.append(seconds)
            } else {
                state.latencies[state.next] = seconds
                state.next = (state.next + 1) % Self.latencyWindow
            }
        }
    }

    /// One comparison with the other side's answer: `agreeing` rows of `rows` gave the same label, or the values
    /// differed by `difference` in total.
    func compared(rows: Int, agreeing: Int, difference: Double) {
        comparedCounter?.increment(by: rows)
        let figure = state.withLock { state -> Double in
            state.comparedRows += rows
            state.agreeingRows += agreeing
            state.absoluteDifference += difference
            return classification
                ? Double(state.agreeingRows) / Double(max(1, state.comparedRows))
                : state.absoluteDifference / Double(max(1, state.comparedRows))
        }
        agreementGauge?.record(figure)
    }

    /// A comparison that could not be made (the other side refused the request).
    func comparisonFailed() {
        state.withLock { $0.failedComparisons += 1 }
    }

    /// The figures as a JSON object.
    func json() -> String {
        let copy = state.withLock { $0 }
        let sorted = copy.latencies.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "null" }
            return JSONText.number(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
        }
        var fields = [
            #""version":\#(version)"#, #""requests":\#(copy.requests)"#, #""errors":\#(copy.errors)"#,
            #""error_rate":\#(copy.requests == 0 ? "0" : JSONText.number(Double(copy.errors) / Double(copy.requests)))"#,
            #""rows":\#(copy.rows)"#,
            #""latency_ms":{"p50":\#(percentile(0.5)),"p90":\#(percentile(0.9)),"p99":\#(percentile(0.99))}"#,
        ]
        if role != .primary {
            let agreement: String
            if copy.comparedRows == 0 {
                agreement = "null"
            } else if classification {
                agreement = JSONText.number(Double(copy.agreeingRows) / Double(copy.comparedRows))
            } else {
                agreement = JSONText.number(copy.absoluteDifference / Double(copy.comparedRows))
            }
            fields.append(
                #""agreement":{"compared_rows":\#(copy.comparedRows),"failed_comparisons":\#(copy.failedComparisons),"#
                    + #""\#(classification ? "ratio" : "mean_abs_difference")":\#(agreement)}"#)
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
