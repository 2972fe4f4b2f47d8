import ForageCore
import ForageStore
import Foundation

/// Everything one report (or dashboard page) shows, read from the store in a few short read transactions.
public struct ReportData: Sendable {
    public var experiment: ExperimentRecord
    public var counts: TrialCounts
    /// Every trial that counts (re-queued attempts left out), by number.
    public var trials: [TrialPoint]
    /// The best completed trials, best first (the table's rows).
    public var leaderboard: [TrialRecord]
    /// Learning curves of the objective for the trials the curves plot shows.
    public var curves: [Int: [CurvePoint]]
    /// Scheduler decisions of the trials the curves plot shows.
    public var decisions: [Int: [DecisionRecord]]
    /// A multi-objective experiment's completed trials' objective values (nil for one objective).
    public var objectivePoints: [ObjectivePoint]? = nil
    public var generatedAt: Date

    public init(
        experiment: ExperimentRecord, counts: TrialCounts, trials: [TrialPoint], leaderboard: [TrialRecord],
        curves: [Int: [CurvePoint]], decisions: [Int: [DecisionRecord]], generatedAt: Date = Date()
    ) {
        self.experiment = experiment
        self.counts = counts
        self.trials = trials
        self.leaderboard = leaderboard
        self.curves = curves
        self.decisions = decisions
        self.generatedAt = generatedAt
    }

    /// The number of completed trials (the table may show fewer).
    public var completedCount: Int { counts.completed }

    /// Reads an experiment's report data. `tableRows` bounds the leaderboard table; `curveTrials` the learning curves.
    public static func load(from store: any ExperimentReader, experiment name: String, tableRows: Int = 1000, curveTrials: Int = 60)
        async throws -> ReportData
    {
        let experiment = try await store.requireExperiment(name)
        return try await load(
            from: store, experiment: experiment, counts: try await store.counts(experiment: experiment.id),
            trials: try await store.trialPoints(experiment), tableRows: tableRows, curveTrials: curveTrials)
    }

    /// Reads the rest of an experiment's report data around what the caller already read: the dashboard keeps the
    /// trial points of finished trials between refreshes and passes them here (re-queued attempts are left out here).
    public static func load(
        from store: any ExperimentReader, experiment: ExperimentRecord, counts: TrialCounts, trials allTrials: [TrialPoint],
        tableRows: Int = 1000, curveTrials: Int = 60
    ) async throws -> ReportData {
        let trials = allTrials.filter { !$0.requeued }
        let leaderboard = try await store.leaderboard(experiment, top: tableRows)
        let withCurves = try await store.trialsWithCurves(experiment, metric: experiment.objective.metric)
        let chosen = CurveSelection.choose(
            trials: trials, having: withCurves, direction: experiment.objective.direction, limit: curveTrials)
        let curves = try await store.curves(experiment, metric: experiment.objective.metric, trials: chosen)
        let decisions = try await store.decisions(experiment, trials: chosen)
        var data = ReportData(
            experiment: experiment, counts: counts, trials: trials, leaderboard: leaderboard, curves: curves, decisions: decisions)
        if experiment.goals.isMultiObjective { data.objectivePoints = try await store.objectivePoints(experiment) }
        return data
    }
}

/// Which trials' learning curves to draw when there are too many: the best completed ones, then pruned and failed
/// ones spread evenly over the run, so every kind of ending is shown.
enum CurveSelection {
    static func choose(trials: [TrialPoint], having curves: Set<Int>, direction: Direction, limit: Int) -> [Int] {
        let candidates = trials.filter { curves.contains($0.number) }
        guard candidates.count > limit else { return candidates.map(\.number) }
        let completed = candidates.filter { $0.state == .completed && $0.value != nil }
            .sorted { direction.isBetter($0.value ?? 0, than: $1.value ?? 0) }
        let pruned = candidates.filter { $0.state == .pruned }
        let others = candidates.filter { $0.state != .completed && $0.state != .pruned }
        var chosen = Array(completed.prefix(limit / 3)).map(\.number)
        chosen += evenly(pruned, count: limit / 2).map(\.number)
        chosen += evenly(others, count: max(0, limit - chosen.count)).map(\.number)
        if chosen.count < limit {
            let taken = Set(chosen)
            chosen += evenly(candidates.filter { !taken.contains($0.number) }, count: limit - chosen.count).map(\.number)
        }
        return chosen.sorted()
    }

    /// Up to `count` elements spread evenly over `items`.
    static func evenly<T>(_ items: [T], count: Int) -> [T] {
        guard items.count > count else { return items }
        guard count > 0 else { return [] }
        return (0..<count).map { items[$0 * items.count / count] }
    }
}
