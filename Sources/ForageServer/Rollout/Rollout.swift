import ForageCore
import ForageML
import Foundation
import NIOCore
import Synchronization

/// The models a server answers with and how requests are shared among them: the primary, an optional canary
/// (its share of requests, sticky by request id) and an optional shadow (a copy of every request, predicted on a
/// background queue off the response path, so it never slows or fails a request). Keeps per-role, per-version
/// statistics (`GET /rollout`, `/metrics`) and the agreement of the canary and shadow with the other side.
final class Rollout: Sendable {
    let primary: ServedModel
    let canary: ServedModel?
    let shadow: ServedModel?
    let plan: RolloutPlan
    private let router: CanaryRouter?
    private let metrics: ServerMetrics
    private struct Key: Hashable {
        let role: RolloutRole
        let version: Int
    }
    private let stats = Mutex<[Key: VersionStats]>([:])
    /// Background comparisons: a serial queue below the request path's priority, with a cap on what may wait.
    private let comparisons = DispatchQueue(label: "forage.rollout.comparisons", qos: .utility)
    private let waiting = Atomic<Int>(0)
    /// Comparisons allowed to wait at once; more are dropped (counted) rather than queued without bound.
    static let maximumWaiting = 512

    init(primary: ServedModel, canary: ServedModel?, shadow: ServedModel?, plan: RolloutPlan, metrics: ServerMetrics) {
        self.primary = primary
        self.canary = canary
        self.shadow = shadow
        self.plan = plan
        self.metrics = metrics
        router = plan.canary.map { CanaryRouter(fraction: $0.fraction) }
    }

    /// The model that answers a request (the primary unless the canary takes it).
    func choose(requestID: String?) -> (RolloutRole, ServedModel.Snapshot) {
        if let canary, let router, router.toCanary(requestID: requestID) { return (.canary, canary.snapshot) }
        return (.primary, primary.snapshot)
    }

    /// The statistics of one version in one role (made on first use).
    func stats(_ role: RolloutRole, _ snapshot: ServedModel.Snapshot) -> VersionStats {
        let key = Key(role: role, version: snapshot.version.version)
        return stats.withLock { all in
            if let found = all[key] { return found }
            let made = VersionStats(
                role: role, version: key.version, classification: snapshot.model.file.header.task == .classification,
                factory: metrics.factory)
            all[key] = made
            return made
        }
    }

    /// After a successful answer: predicts the same body with the shadow (and, for a canary answer, with the
    /// primary) in the background and records how far they agree. Never blocks; drops the work when too much waits.
    func compare(body: ByteBuffer, csv: Bool, answeredBy role: RolloutRole, snapshot answering: ServedModel.Snapshot, predictions: Predictions) {
        var others: [(RolloutRole, ServedModel.Snapshot)] = []
        if let shadow { others.append((.shadow, shadow.snapshot)) }
        // The canary's agreement: its answer against what the primary would have said.
        if role == .canary { others.append((.canary, answering)) }
        guard !others.isEmpty else { return }
        guard waiting.add(1, ordering: .relaxed).newValue <= Self.maximumWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            metrics.comparisonDropped()
            return
        }
        let primary = primary.snapshot
        let work = others
        comparisons.async { [self] in
            defer { waiting.subtract(1, ordering: .relaxed) }
            for (otherRole, snapshot) in work {
                let started = ContinuousClock.now
                // The shadow predicts the request itself; the canary's answer is set against the primary's.
                let model = otherRole == .shadow ? snapshot.model : primary.model
                let other = try? PredictionEndpoints.predict(body, csv: csv, model: model).predictions
                let statistics = stats(otherRole, snapshot)
                if otherRole == .shadow {
                    statistics.request(ok: other != nil, rows: other?.count ?? 0, nanoseconds: Self.nanoseconds(since: started))
                }
                guard let other, let agreement = Agreement(predictions, other) else {
                    statistics.comparisonFailed()
                    continue
                }
                statistics.compared(rows: agreement.rows, agreeing: agreement.agreeing, difference: agreement.difference)
            }
        }
    }

    /// Waits until every background comparison queued so far has run (tests, benchmarks).
    func drainComparisons() {
        comparisons.sync {}
    }

    static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }

    /// `GET /rollout`: each role's reference, the version it serves now, and the figures of every version it
    /// has served.
    func json(primaryReference: String) -> String {
        let all = stats.withLock { Array($0.values) }
        func role(_ role: RolloutRole, _ served: ServedModel?, reference: String?, extra: String = "") -> String {
            guard let served, let reference else { return "null" }
            let versions = all.filter { $0.role == role }.sorted { $0.version < $1.version }.map { $0.json() }
            return #"{"reference":\#(JSONText.quoted(reference)),"version":\#(served.snapshot.version.version),\#(extra)"#
                + #""versions":[\#(versions.joined(separator: ","))]}"#
        }
        let fraction = plan.canary.map { #""fraction":\#(JSONText.number($0.fraction)),"# } ?? ""
        return #"{"primary":\#(role(.primary, primary, reference: primaryReference)),"#
            + #""canary":\#(role(.canary, canary, reference: plan.canary?.reference.description, extra: fraction)),"#
            + #""shadow":\#(role(.shadow, shadow, reference: plan.shadow?.description)),"#
            + #""comparisons_dropped":\#(metrics.comparisonsDropped)}"#
    }
}

/// How far two answers to the same rows agree: rows with the same label, or the summed absolute difference of values.
struct Agreement {
    var rows: Int
    var agreeing: Int
    var difference: Double

    /// Nil when the answers are not comparable (different row counts or kinds).
    init?(_ a: Predictions, _ b: Predictions) {
        guard a.count == b.count, a.count > 0 else { return nil }
        rows = a.count
        if !a.labels.isEmpty, !b.labels.isEmpty {
            agreeing = zip(a.labels, b.labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            difference = 0
        } else if !a.values.isEmpty, !b.values.isEmpty {
            agreeing = 0
            difference = zip(a.values, b.values).reduce(0) { $0 + abs($1.0 - $1.1) }
        } else {
            return nil
        }
    }
}
