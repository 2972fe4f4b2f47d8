import ForageCore
import ForageStore
import Foundation

/// The list of a store's experiments with their state and progress (the dashboard's home page).
public struct IndexPage: Sendable {
    /// One experiment's line: the record, its trial counts and its best value.
    public struct Entry: Sendable {
        public var experiment: ExperimentRecord
        public var counts: TrialCounts
        public var best: Double?

        public init(experiment: ExperimentRecord, counts: TrialCounts, best: Double?) {
            self.experiment = experiment
            self.counts = counts
            self.best = best
        }
    }

    public var entries: [Entry]
    public var generatedAt: Date

    public init(entries: [Entry], generatedAt: Date = Date()) {
        self.entries = entries
        self.generatedAt = generatedAt
    }

    /// Reads every experiment's counts and best value, one short read each.
    public static func load(from store: any ExperimentReader) async throws -> IndexPage {
        var entries: [Entry] = []
        for experiment in try await store.experiments() {
            entries.append(
                Entry(experiment: experiment, counts: try await store.counts(experiment: experiment.id), best: try await store.best(experiment)?.value))
        }
        return IndexPage(entries: entries)
    }

    /// The whole page, refreshing itself through `poll` and `fragment` (relative addresses on the same server).
    public func page(poll: String, fragment: String, link: (String) -> String) -> String {
        Self.wrap(body: body(link: link), version: Self.versionText(version), poll: poll, fragment: fragment)
    }

    /// Each experiment's progress marker (state, highest trial number, running and queued trials): the cheap,
    /// indexed read the dashboard's list polls to learn whether it should be redrawn.
    public static func versions(from store: any ExperimentReader) async throws -> [String] {
        var versions: [String] = []
        for name in try await store.experimentNames() { versions.append("\(name)=" + (try await store.progressMarker(experiment: name))) }
        return versions
    }

    /// A page around an already rendered list, carrying `version` (the dashboard keeps the list between polls).
    public static func wrap(body: String, version: String, poll: String, fragment: String, generatedAt: Date = Date()) -> String {
        PageTemplates.render(
            "page",
            [
                "title": "Forage experiments", "css": PageStyle.css, "js": PageScript.js, "version": ForageVersion.current,
                "generatedAt": ReportBuilder.timestamp(generatedAt), "body": body, "poll": poll, "fragment": fragment,
                "bodyVersion": version,
            ])
    }

    /// A version as one string (what the page carries and the poll answers).
    public static func versionText(_ version: [String]) -> String {
        version.joined(separator: " ")
    }

    static func line(_ experiment: ExperimentRecord, _ counts: TrialCounts) -> String {
        "\(experiment.name):\(experiment.state.rawValue):\(counts.finished):\(counts.running)"
    }

    /// The list alone.
    public func body(link: (String) -> String) -> String {
        let rows = entries.map { entry -> [String: Any] in
            let budget = max(entry.experiment.budgetTrials, 1)
            let finished = entry.counts.finished
            return [
                "name": entry.experiment.name, "link": link(entry.experiment.name), "state": entry.experiment.state.rawValue,
                "percent": min(100, finished * 100 / budget), "finished": finished, "budget": entry.experiment.budgetTrials,
                "completed": entry.counts.completed, "pruned": entry.counts.pruned, "failed": entry.counts.failed,
                "running": entry.counts.running, "best": entry.best.map(LeaderboardTable.format) ?? "–",
                "objective": "\(entry.experiment.objective.direction.rawValue) \(entry.experiment.objective.metric)",
            ]
        }
        return PageTemplates.render("index", ["experiments": rows, "hasExperiments": !rows.isEmpty])
    }

    /// What changes when the list should be redrawn: each experiment's state and finished count.
    public var version: [String] {
        entries.map { Self.line($0.experiment, $0.counts) }
    }
}
