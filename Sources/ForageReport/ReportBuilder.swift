import ForageCore
import ForageStore
import Foundation

/// Builds the HTML report of one experiment: a single self-contained page (inline CSS, inline SVG plots, a little
/// inline JavaScript, no outside requests) with the summary and lineage, the optimization history, parallel
/// coordinates, parameter importance, intermediate values and a sortable, filterable leaderboard.
public struct ReportBuilder {
    /// Options for the dashboard: where the page polls for changes and fetches its refreshed body, and the version
    /// of the body it carries (the page fetches a new body only when the polled version differs).
    public struct Live: Sendable {
        public var home: String
        public var poll: String
        public var fragment: String
        public var version: String

        public init(home: String, poll: String, fragment: String, version: String = "") {
            self.home = home
            self.poll = poll
            self.fragment = fragment
            self.version = version
        }
    }

    public var data: ReportData

    public init(data: ReportData) {
        self.data = data
    }

    /// The whole page; with `live`, a dashboard page that refreshes itself while the search runs.
    public func page(live: Live? = nil) -> String {
        Self.wrap(body: body(), title: data.experiment.name, live: live, generatedAt: data.generatedAt)
    }

    /// A page around an already rendered body (the dashboard keeps bodies and wraps them per request).
    public static func wrap(body: String, title: String, live: Live?, generatedAt: Date = Date()) -> String {
        var context: [String: Any] = [
            "title": title, "css": PageStyle.css, "js": PageScript.js, "version": ForageVersion.current,
            "generatedAt": timestamp(generatedAt), "body": body,
        ]
        if let live {
            context["home"] = live.home
            context["poll"] = live.poll
            context["fragment"] = live.fragment
            context["bodyVersion"] = live.version
        }
        return PageTemplates.render("page", context)
    }

    /// The page's body alone (what the dashboard swaps in on refresh).
    public func body() -> String {
        body(importance: Self.importance(of: data))
    }

    /// Parameter importance as the report computes it (the costliest part of a page; the dashboard reuses it, and
    /// fits fewer trials while a search runs).
    public static func importance(of data: ReportData, maxTrials: Int = 2000) -> ParameterImportance? {
        ParameterImportance.compute(
            parameters: data.experiment.parameterNames, trials: data.trials, seed: data.experiment.seed, maxTrials: maxTrials)
    }

    /// The page's body with an importance computed beforehand.
    public func body(importance: ParameterImportance?) -> String {
        let experiment = data.experiment
        let objective = experiment.objective
        let history = HistoryPlot(trials: data.trials, objective: objective).render()
        let parallel = ParallelCoordinatesPlot(trials: data.trials, parameters: experiment.parameterNames, objective: objective).render()
        let curves = CurvesPlot(curves: data.curves, trials: data.trials, decisions: data.decisions, objective: objective).render()
        let table = LeaderboardTable(experiment: experiment, trials: data.leaderboard)
        let byNumber = Dictionary(data.trials.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let stops = data.curves.keys.sorted().compactMap { number -> [String: Any]? in
            guard let trial = byNumber[number], trial.state == .pruned else { return nil }
            return [
                "number": number, "step": trial.lastStep.map(String.init) ?? "",
                "reason": CurvesPlot.stopReason(data.decisions[number] ?? []) ?? "no decision recorded",
            ]
        }
        let total = data.trials.count
        var context: [String: Any] = [
            "state": experiment.state.rawValue,
            "summary": Self.pairs(summary()),
            "lineage": Self.pairs(lineage()),
            "spec": experiment.spec,
            "historySVG": history.svg,
            "historyNote": history.shown < total
                ? " Showing \(history.shown) of \(total) trials: per bucket of trials the lowest and highest values, the first failure, and every improvement of the best."
                : "",
            "parallelSVG": parallel.svg,
            "parallelNote": parallel.shown < data.counts.completed
                ? "Showing \(parallel.shown) of \(data.counts.completed) completed trials (the best quarter, then an even spread)." : "",
            "importanceMethod": ParameterImportance.method,
            "importanceNote": importance.map { "Fitted to \($0.trialsUsed) completed trials, seed \(experiment.seed)." } ?? "",
            "importanceSVG": ImportancePlot(importance: importance).render(),
            "curvesSVG": curves,
            "curvesNote": data.curves.isEmpty
                ? ""
                : " Curves of \(data.curves.count) trials (the best completed ones, then pruned and failed ones spread over the run); short orange ticks mark where every pruned trial stopped.",
            "hasStops": !stops.isEmpty, "stops": stops,
            "tableNote": data.leaderboard.count < data.counts.completed
                ? "The best \(data.leaderboard.count) of \(data.counts.completed) completed trials are embedded in this page (use `forage leaderboard --format csv` for all)."
                : "All \(data.counts.completed) completed trials, best first.",
            "rankNote": experiment.goals.ranksByFront
                ? " Ranked by Pareto front (1 = non-dominated), inside a front by \(objective.metric)"
                    + (experiment.goals.isConstrained ? "; infeasible trials last, by total violation." : ".")
                : "",
            "filterExample": (experiment.parameterNames.first.map { "\($0)>0.5" } ?? "\(objective.metric)<1"),
            "rowCount": data.leaderboard.count,
            "columns": table.columns, "rows": table.rows,
        ]
        if let points = data.objectivePoints {
            let goals = experiment.goals
            let ranking = FrontRanking(points: points, goals: goals)
            let reference = ranking.referencePoint.map { point in
                zip(goals.objectives, point).map { LeaderboardTable.format($0.direction == .minimize ? $1 : -$1) }.joined(separator: ", ")
            }
            context["pareto"] = [
                "frontSVG": ParetoPlot(points: points, ranking: ranking, goals: goals).render(),
                "hypervolumeSVG": HypervolumePlot(points: points, ranking: ranking, goals: goals).render(),
                "reference": reference.map { "(\($0))" } ?? "(no feasible trial yet)",
                "note": "\(ranking.paretoFront.count) of \(ranking.fronts.count) feasible trials on the front"
                    + (goals.objectives.count > 2 ? "; one panel per pair of objectives." : "."),
            ] as [String: Any]
        }
        if let best = data.leaderboard.first {
            context["best"] =
                [
                    "number": best.number, "value": best.value.map(LeaderboardTable.format) ?? "",
                    "params": best.params.map { "\($0.key) = \(Self.format($0.value))" }.joined(separator: ", "),
                ] as [String: Any]
        }
        return PageTemplates.render("report", context)
    }

    /// Key facts about the run.
    func summary() -> [(String, String)] {
        let experiment = data.experiment, counts = data.counts
        let goals = experiment.goals
        var rows: [(String, String)] = [
            (goals.isMultiObjective ? "objectives" : "objective", goals.objectives.map { "\($0.direction.rawValue) \($0.metric)" }.joined(separator: ", ")),
            ("trials", "\(counts.finished) of \(experiment.budgetTrials) finished (parallel \(experiment.budgetParallel))"),
            ("completed", String(counts.completed)), ("pruned", String(counts.pruned)), ("failed", String(counts.failed)),
            ("running / queued", "\(counts.running) / \(counts.queued)"),
        ]
        if let started = experiment.startedAt {
            rows.append(("started", Self.timestamp(started)))
            let end = experiment.finishedAt ?? data.generatedAt
            rows.append(("elapsed", String(format: "%.1f s", end.timeIntervalSince(started))))
        }
        if goals.isConstrained { rows.append(("constraints", goals.constraints.map(\.description).joined(separator: ", "))) }
        if let message = experiment.message { rows.append(("message", message)) }
        return rows
    }

    /// Where the run came from: spec and data hashes, seed, Forage version.
    func lineage() -> [(String, String)] {
        let experiment = data.experiment
        var rows: [(String, String)] = [("spec SHA-256", experiment.specSHA256)]
        if let path = experiment.specPath { rows.append(("spec file", path)) }
        if let data = experiment.data {
            rows += [
                ("dataset", data.path), ("dataset SHA-256", data.sha256), ("rows × columns", "\(data.rows) × \(data.columns)"),
                ("split (train / validation / test)", "\(data.trainRows) / \(data.validationRows) / \(data.testRows)"),
            ]
        } else {
            rows.append(("dataset", "none (function or command trials)"))
        }
        rows += [("seed", String(experiment.seed)), ("Forage version", experiment.forageVersion)]
        return rows
    }

    /// A parameter value for reading: numbers to 6 significant digits.
    static func format(_ value: ParameterValue) -> String {
        if case .double(let number) = value { return LeaderboardTable.format(number) }
        return value.description
    }

    static func pairs(_ rows: [(String, String)]) -> [[String: Any]] {
        rows.map { ["key": $0.0, "value": $0.1] }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
