import CoreMetrics
import ForageCore
import ForageML
import Logging
import Prometheus
import Synchronization

/// Watches live inputs and predictions of the primary model against the training distribution stored in its file
/// (`DriftProfile`): a sliding window of the last rows (`DriftWindow`), per raw feature and prediction PSI as
/// Prometheus gauges (`forage_feature_drift_psi{feature=…}`, `forage_prediction_drift_psi`) and as `GET /drift`.
/// A feature that crosses the threshold is logged once per served version. The window starts afresh when the
/// served version changes; a model file without a profile (written before profiles existed) is reported as such.
final class DriftMonitor: Sendable {
    let settings: DriftSettings
    private let logger: Logger
    private let factory: PrometheusMetricsFactory
    private struct State {
        var version: Int
        var window: DriftWindow?
        var logged: Set<String> = []
    }
    private let state = Mutex<State?>(nil)
    private let featureGauges = Mutex<[String: CoreMetrics.Gauge]>([:])
    private let predictionGauge: CoreMetrics.Gauge
    private let rowsGauge: CoreMetrics.Gauge

    init(settings: DriftSettings, factory: PrometheusMetricsFactory, logger: Logger) {
        self.settings = settings
        self.factory = factory
        self.logger = logger
        predictionGauge = CoreMetrics.Gauge(label: "forage_prediction_drift_psi", factory: factory)
        rowsGauge = CoreMetrics.Gauge(label: "forage_drift_window_rows", factory: factory)
    }

    /// Adds a successful request's rows and predictions (answered by `snapshot`).
    func observe(_ input: PredictionEndpoints.RawInput, predictions: Predictions, snapshot: ServedModel.Snapshot) {
        // Binning (a count of the edges below each value) happens outside the lock; inside it, the whole batch
        // goes into the ring in one pass.
        guard let binner = snapshot.driftBinner else { return }
        let binned: [UInt16]
        switch input {
        case .numbers(let values): binned = binner.bins(numericRows: values, predictions: predictions)
        case .rows(let rows): binned = binner.bins(rows: rows, predictions: predictions)
        case .records(let records): binned = binner.bins(records: records, predictions: predictions)
        }
        state.withLock { state in
            let version = snapshot.version.version
            if state?.version != version {
                state = State(version: version, window: DriftWindow(profile: binner.profile, capacity: settings.window))
            }
            guard var window = state?.window else { return }
            state?.window = nil  // keep the ring uniquely referenced while it is updated in place
            window.add(binned: binned)
            state?.window = window
        }
    }

    /// The report for the version served now (nil: its file has no profile; `reason` says why). It is computed
    /// under the lock (a sum over the bins), so the ring is never shared and a request never has to copy it.
    func report(for snapshot: ServedModel.Snapshot) -> (report: DriftReport?, reason: String?) {
        guard let profile = snapshot.model.file.header.drift else {
            return (nil, "the model file has no training distribution (it was written before drift profiles); retrain to monitor drift")
        }
        let (threshold, minimumRows) = (settings.threshold, settings.minimumRows)
        let report = state.withLock { state -> DriftReport? in
            guard let state, state.version == snapshot.version.version else { return nil }
            return state.window?.report(threshold: threshold, minimumRows: minimumRows)
        }
        return (report ?? DriftWindow(profile: profile, capacity: settings.window).report(threshold: threshold, minimumRows: minimumRows), nil)
    }

    /// Sets the gauges from the current window and logs features that crossed the threshold (once each).
    func refresh(for snapshot: ServedModel.Snapshot) {
        guard let report = report(for: snapshot).report else { return }
        rowsGauge.record(report.rows)
        predictionGauge.record(report.prediction.psi)
        for entry in report.features { gauge(entry.name).record(entry.psi) }
        let version = snapshot.version.version
        let fresh = state.withLock { state -> [String] in
            guard state?.version == version else { return [] }
            let newly = (report.drifted + (report.prediction.drifted ? ["prediction"] : [])).filter { !(state?.logged.contains($0) ?? true) }
            state?.logged.formUnion(newly)
            return newly
        }
        for name in fresh {
            let psi = name == "prediction" ? report.prediction.psi : report.features.first { $0.name == name }?.psi ?? 0
            logger.warning(
                "drift: \(name == "prediction" ? "the prediction distribution" : "feature '\(name)'") has PSI \(JSONText.number(psi)) over the last \(report.rows) rows (threshold \(JSONText.number(settings.threshold)))",
                metadata: ["model": "\(snapshot.version.model)", "version": "\(version)"])
        }
    }

    /// `GET /drift`'s body.
    func json(for snapshot: ServedModel.Snapshot) -> String {
        refresh(for: snapshot)
        let context = #""model":\#(JSONText.quoted(snapshot.version.model)),"version":\#(snapshot.version.version)"#
        let (report, reason) = report(for: snapshot)
        guard let report else { return "{" + context + #","available":false,"reason":\#(JSONText.quoted(reason ?? ""))}"# }
        return report.json(context: context + #","available":true"#)
    }

    private func gauge(_ feature: String) -> CoreMetrics.Gauge {
        featureGauges.withLock { gauges in
            if let found = gauges[feature] { return found }
            let made = CoreMetrics.Gauge(label: "forage_feature_drift_psi", dimensions: [("feature", feature)], factory: factory)
            gauges[feature] = made
            return made
        }
    }
}
