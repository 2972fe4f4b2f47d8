import Dispatch
import ForageCore
import ForageReport
import ForageStore
import Foundation

/// Builds the dashboard's pages and JSON from the store, off Swift's cooperative thread pool (store reads and plot
/// rendering are blocking work), and keeps each experiment's rendered body until its trial counts change.
actor DashboardPages {
    let store: SQLiteExperimentStore
    private let queue = DispatchQueue(label: "forage.dashboard.pages", attributes: .concurrent)
    private var bodies: [String: (version: String, built: Date, cost: TimeInterval, html: String)] = [:]
    private var building: [String: Task<(html: String, cost: TimeInterval), any Error>] = [:]

    init(store: SQLiteExperimentStore) {
        self.store = store
    }

    /// Runs blocking work on the dashboard's own queue and waits for it without holding a cooperative thread.
    private func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The experiment list: full page or its body alone.
    func index(fragment: Bool) async throws -> String {
        let store = self.store
        return try await offPool {
            let page = try IndexPage.load(from: store)
            return fragment ? page.body(link: Self.link) : page.page(poll: "/api/experiments", fragment: "/?fragment=1", link: Self.link)
        }
    }

    /// The experiments' states and counts as JSON (`version` changes whenever the list should be redrawn).
    func indexJSON() async throws -> Data {
        let store = self.store
        return try await offPool {
            let page = try IndexPage.load(from: store)
            let experiments = page.entries.map { entry -> [String: Any] in
                [
                    "name": entry.experiment.name, "state": entry.experiment.state.rawValue, "budget": entry.experiment.budgetTrials,
                    "counts": Self.counts(entry.counts), "best": entry.best as Any? ?? NSNull(),
                ]
            }
            return try JSONSerialization.data(
                withJSONObject: ["version": page.version, "experiments": experiments], options: [.sortedKeys])
        }
    }

    /// One experiment's state and counts as JSON.
    func summaryJSON(_ name: String) async throws -> Data {
        let store = self.store
        return try await offPool {
            let experiment = try store.requireExperiment(name)
            let counts = try store.counts(experiment: experiment.id)
            let best = try store.best(experiment)?.value
            return try JSONSerialization.data(
                withJSONObject: [
                    "name": name, "state": experiment.state.rawValue, "budget": experiment.budgetTrials, "counts": Self.counts(counts),
                    "best": best as Any? ?? NSNull(), "version": Self.version(experiment, counts),
                ] as [String: Any], options: [.sortedKeys])
        }
    }

    /// One experiment's page (or its body alone). A body is rebuilt only when the experiment's counts changed, and
    /// no sooner than five times its last build time (at least a second), so that a page of a 100 000-trial search
    /// being watched costs the machine at most a fifth of a core; concurrent requests share one build.
    func experiment(_ name: String, fragment: Bool) async throws -> String {
        let store = self.store
        let (experiment, counts) = try await offPool {
            let experiment = try store.requireExperiment(name)
            return (experiment, try store.counts(experiment: experiment.id))
        }
        let version = Self.version(experiment, counts)
        let html: String
        if let cached = bodies[name], cached.version == version || Date().timeIntervalSince(cached.built) < max(1, 5 * cached.cost) {
            html = cached.html
        } else if let running = building[name] {
            html = try await running.value.html
        } else {
            let task = Task { () async throws -> (html: String, cost: TimeInterval) in
                let started = Date()
                let html = try await self.offPool { ReportBuilder(data: try ReportData.load(from: store, experiment: name)).body() }
                return (html, Date().timeIntervalSince(started))
            }
            building[name] = task
            let built = await task.result
            building[name] = nil
            let (body, cost) = try built.get()
            bodies[name] = (version, Date(), cost, body)
            html = body
        }
        guard !fragment else { return html }
        let link = Self.link(name)
        return ReportBuilder.wrap(
            body: html, title: name,
            live: ReportBuilder.Live(home: "/", poll: "/api" + link + "/summary", fragment: link + "?fragment=1"))
    }

    /// The address of an experiment's page.
    static func link(_ name: String) -> String {
        "/experiments/"
            + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? name)
    }

    static func version(_ experiment: ExperimentRecord, _ counts: TrialCounts) -> String {
        "\(experiment.state.rawValue):\(counts.finished):\(counts.running):\(counts.queued)"
    }

    static func counts(_ counts: TrialCounts) -> [String: Int] {
        [
            "queued": counts.queued, "running": counts.running, "completed": counts.completed, "pruned": counts.pruned,
            "failed": counts.failed,
        ]
    }
}
