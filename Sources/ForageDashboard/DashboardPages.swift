import Dispatch
import ForageCore
import ForageReport
import ForageStore
import Foundation

/// Builds the dashboard's pages and JSON from the store, off Swift's cooperative thread pool (store reads and plot
/// rendering are blocking work).
///
/// Watching a search must not slow it down, so requests never wait for a page to be rendered, except the very first
/// request for an experiment. A request reads only the experiment's progress marker (state, highest trial number,
/// running and queued trials: a few index lookups, whatever the number of trials), and answers with the last
/// rendered body. When the data version moved on, it starts one rebuild in
/// the background, no sooner than twenty times the last build's cost after the last build (at least 2 s, the pages'
/// own polling period), so a watched page costs at most a twentieth of a core however large the search and however
/// many tabs poll it. Builds
/// run one at a time on their own queue, re-read only the trials that were still open, refit the importance forest
/// only when the completed trials doubled (or after a minute), and embed the best 250 leaderboard rows.
actor DashboardPages {
    let store: any ExperimentReader
    /// Short reads (versions, summaries, the experiment list).
    private let reads = DispatchQueue(label: "forage.dashboard.reads", attributes: .concurrent)
    /// Page builds, one at a time.
    private let builds = DispatchQueue(label: "forage.dashboard.builds")
    private var live: [String: LiveExperiment] = [:]
    private var building: [String: Task<Result<Void, any Error>, Never>] = [:]
    /// The experiment list as last built.
    private var list: (html: String, version: String, builtAt: Date, cost: TimeInterval)?

    /// What the dashboard keeps of one experiment between requests.
    struct LiveExperiment: Sendable {
        var points = TrialPointCache()
        var importance = ImportanceCache()
        /// The last rendered body and the data version it shows.
        var body: String?
        var version = ""
        var builtAt = Date.distantPast
        var cost: TimeInterval = 0
    }

    /// The leaderboard rows an experiment's page embeds (the report file embeds 1 000; `forage leaderboard` has all).
    static let tableRows = 250

    /// The shortest pause between two builds of a page that took `cost` seconds to build: twenty times its cost, and
    /// no shorter than the 2 s at which an open page polls.
    static func pause(after cost: TimeInterval) -> TimeInterval {
        max(2, 20 * cost)
    }

    init(store: any ExperimentReader) {
        self.store = store
    }

    /// Runs blocking work on `queue` and waits for it without holding a cooperative thread.
    private func off<T: Sendable>(_ queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    // MARK: The experiment list

    /// The experiment list: full page or its body alone, with the version it shows. The list is kept between
    /// requests and rebuilt when the experiments' progress markers moved, at most once per pause.
    func index(fragment: Bool) async throws -> (html: String, version: String) {
        let store = self.store
        let current = IndexPage.versionText(try await IndexPage.versions(from: store))
        if let list, list.version == current || Date().timeIntervalSince(list.builtAt) < Self.pause(after: list.cost) {
            return (fragment ? list.html : Self.wrapList(list.html, list.version), list.version)
        }
        let started = Date()
        let loaded = try await IndexPage.load(from: store)
        let html = try await off(reads) { loaded.body(link: Self.link) }
        let built = Date()
        list = (html, current, built, built.timeIntervalSince(started))
        return (fragment ? html : Self.wrapList(html, current), current)
    }

    static func wrapList(_ body: String, _ version: String) -> String {
        IndexPage.wrap(body: body, version: version, poll: "/api/experiments/version", fragment: "/?fragment=1")
    }

    /// The list's version: the version of the list the dashboard would serve now (what the list page polls).
    func indexVersionJSON() async throws -> Data {
        let version = try await index(fragment: true).version
        return try JSONSerialization.data(withJSONObject: ["version": version], options: [.sortedKeys])
    }

    /// The experiments' states and counts as JSON (`version` changes whenever the list should be redrawn).
    func indexJSON() async throws -> Data {
        let store = self.store
        let page = try await IndexPage.load(from: store)
        return try await off(reads) {
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

    // MARK: One experiment

    /// One experiment's state and counts as JSON.
    func summaryJSON(_ name: String) async throws -> Data {
        let store = self.store
        let experiment = try await store.requireExperiment(name)
        let counts = try await store.counts(experiment: experiment.id)
        let best = try await store.best(experiment)?.value
        return try await off(reads) {
            try JSONSerialization.data(
                withJSONObject: [
                    "name": name, "state": experiment.state.rawValue, "budget": experiment.budgetTrials, "counts": Self.counts(counts),
                    "best": best as Any? ?? NSNull(), "version": Self.version(experiment, counts),
                ] as [String: Any], options: [.sortedKeys])
        }
    }

    /// What an experiment's page polls: the version of the newest rendered body (the page fetches the body when it
    /// differs from its own), and the state of the experiment. Starts a rebuild in the background when one is due.
    func versionJSON(_ name: String) async throws -> Data {
        let (state, dataVersion) = try await dataVersion(name)
        refreshIfDue(name, dataVersion: dataVersion)
        let version = live[name]?.body == nil ? dataVersion : live[name]?.version ?? dataVersion
        return try JSONSerialization.data(withJSONObject: ["version": version, "state": state], options: [.sortedKeys])
    }

    /// One experiment's page (or its body alone) with the data version it shows. Only the first request for an
    /// experiment waits for a build; later ones get the newest body at once (a rebuild starts when due).
    func experiment(_ name: String, fragment: Bool) async throws -> (html: String, version: String) {
        let (_, dataVersion) = try await dataVersion(name)
        refreshIfDue(name, dataVersion: dataVersion)
        if live[name]?.body == nil, let running = building[name] {
            try await running.value.get()
        }
        guard let entry = live[name], let body = entry.body else {
            throw StoreError.database("the page of experiment '\(name)' could not be built")
        }
        guard !fragment else { return (body, entry.version) }
        let link = Self.link(name)
        let html = ReportBuilder.wrap(
            body: body, title: name,
            live: ReportBuilder.Live(home: "/", poll: "/api" + link + "/version", fragment: link + "?fragment=1", version: entry.version))
        return (html, entry.version)
    }

    /// The experiment's state and progress marker: an indexed read, cheap at 100 000 trials.
    private func dataVersion(_ name: String) async throws -> (state: String, version: String) {
        let store = self.store
        let marker = try await store.progressMarker(experiment: name)
        return (String(marker.prefix { $0 != ":" }), marker)
    }

    /// Starts a background rebuild of the experiment's body when its data changed and none is running or planned:
    /// at once when the pause after the last build is over, else when it ends.
    private func refreshIfDue(_ name: String, dataVersion: String) {
        guard building[name] == nil else { return }
        var wait: TimeInterval = 0
        if let entry = live[name], entry.body != nil {
            guard entry.version != dataVersion else { return }
            wait = Self.pause(after: entry.cost) - Date().timeIntervalSince(entry.builtAt)
        }
        building[name] = Task {
            if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
            return await self.build(name)
        }
    }

    /// Rebuilds the experiment's body on the build queue and keeps it.
    private func build(_ name: String) async -> Result<Void, any Error> {
        let store = self.store
        let before = live[name] ?? LiveExperiment()
        let started = Date()
        let result: Result<LiveExperiment, any Error>
        do {
            var entry = before
            // The marker is read first: the body shows at least what it says, so a later poll never misses a change.
            entry.version = try await store.progressMarker(experiment: name)
            let experiment = try await store.requireExperiment(name)
            let counts = try await store.counts(experiment: experiment.id)
            let trials = try await entry.points.refresh(from: store, experiment: experiment)
            let data = try await ReportData.load(
                from: store, experiment: experiment, counts: counts, trials: trials, tableRows: Self.tableRows)
            let rendering = entry
            result = .success(
                try await off(builds) { () throws -> LiveExperiment in
                    var entry = rendering
                    entry.body = ReportBuilder(data: data).body(importance: entry.importance.importance(for: data))
                    return entry
                })
        } catch {
            result = .failure(error)
        }
        building[name] = nil
        switch result {
        case .success(var entry):
            entry.builtAt = Date()
            // The first build reads every trial; later ones read only the new and the open ones, so the pause
            // follows the cost of those.
            entry.cost = before.body == nil ? 0 : entry.builtAt.timeIntervalSince(started)
            live[name] = entry
            return .success(())
        case .failure(let error):
            return .failure(error)
        }
    }

    // MARK: Helpers

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
