import ForageCore
import Foundation

/// The read side of an experiment store: what `status`, `trials`, `leaderboard`, reports, the dashboard and
/// promotion ask.
///
/// An implementation must guarantee:
/// - reads never take a write lock and never wait for a writer (a reader answers while another process holds a
///   write transaction), and a reader opened read-only never writes, migrates or creates anything;
/// - each call sees one consistent snapshot of the store;
/// - page and point queries cost what they return, not what the experiment holds: `trialPage` and
///   `leaderboardPage` read rows in order from an index, starting after the cursor they are given;
/// - trial records carry their final metrics (or, for unfinished trials, the last intermediate value of each
///   metric), the scheduler decisions with their reasons, and every stored column of the trial.
public protocol ExperimentReader: Sendable {
    /// Where the store's files live beside its database (trial folders, blobs).
    var layout: StoreLayout { get }
    /// The store as people name it in messages (a folder, a URL).
    var location: String { get }

    /// The experiment with this name, or nil.
    func experiment(named name: String) async throws -> ExperimentRecord?
    /// Every experiment, oldest first.
    func experiments() async throws -> [ExperimentRecord]
    /// Every experiment's name, oldest first.
    func experimentNames() async throws -> [String]
    /// Trial counts per state; `queued` counts re-queued attempts still waiting for their retry.
    func counts(experiment id: Int64) async throws -> TrialCounts
    /// The enqueued parameter sets no trial has taken yet, oldest first.
    func pendingEnqueued(_ experiment: ExperimentRecord) async throws -> [EnqueuedParameters]
    /// The best `top` completed trials, best first (ties go to the lower trial number).
    func leaderboard(_ experiment: ExperimentRecord, top: Int) async throws -> [TrialRecord]
    /// Up to `limit` completed trials in leaderboard order, after `cursor` (from the start when nil), carrying the
    /// final metrics and decisions `detail` asks for (and only those: a listing that shows none looks none up).
    func leaderboardPage(
        _ experiment: ExperimentRecord, after cursor: LeaderboardCursor?, limit: Int, detail: RecordDetail
    ) async throws -> [TrialRecord]
    /// Up to `limit` trials (optionally in one state) by number, numbered above `number` (from the start when nil).
    func trialPage(_ experiment: ExperimentRecord, state: TrialState?, after number: Int?, limit: Int) async throws -> [TrialRecord]
    /// One trial by number.
    func trial(_ experiment: ExperimentRecord, number: Int) async throws -> TrialRecord?
    /// The trials with these numbers (those that exist, in any order), carrying `detail`, with their objective values
    /// and constraint violation.
    func trials(_ experiment: ExperimentRecord, numbers: [Int], detail: RecordDetail) async throws -> [TrialRecord]
    /// Every completed trial's objective values and constraint violation (what ranking by Pareto front needs), in
    /// number order.
    func objectivePoints(_ experiment: ExperimentRecord) async throws -> [ObjectivePoint]
    /// Every trial numbered `from` or more, with only what plots need (no metrics, no decisions).
    func trialPoints(_ experiment: ExperimentRecord, from first: Int) async throws -> [TrialPoint]
    /// A cheap marker of an experiment's progress for pollers, read from indexes only.
    func progressMarker(experiment name: String) async throws -> String
    /// The intermediate values of `metric` for the given trials, each curve ordered by step.
    func curves(_ experiment: ExperimentRecord, metric: String, trials numbers: [Int]) async throws -> [Int: [CurvePoint]]
    /// The scheduler decisions of the given trials, in the order they were taken.
    func decisions(_ experiment: ExperimentRecord, trials numbers: [Int]) async throws -> [Int: [DecisionRecord]]
    /// Trial numbers that reported at least one intermediate value of `metric`.
    func trialsWithCurves(_ experiment: ExperimentRecord, metric: String) async throws -> Set<Int>
    /// What a listing's columns depend on, read before its rows are streamed.
    func listingColumns(_ experiment: ExperimentRecord, completedOnly: Bool) async throws -> ListingColumns
}

/// The columns of a trial listing that depend on the data: its metric names and whether remote workers ran trials.
public struct ListingColumns: Sendable, Equatable {
    /// Every metric name the listed trials carry, sorted.
    public var metricNames: [String]
    /// Whether some trial ran on a remote worker (the listing then shows a worker column).
    public var hasWorkers: Bool

    public init(metricNames: [String], hasWorkers: Bool) {
        self.metricNames = metricNames
        self.hasWorkers = hasWorkers
    }
}

/// What trial records carry beyond the trial's own row: which final metrics, and whether the scheduler decisions.
public struct RecordDetail: Sendable, Equatable {
    /// The final metrics to load by name; nil loads all of them.
    public var metrics: Set<String>?
    /// Whether to load each trial's scheduler decisions.
    public var decisions: Bool

    public init(metrics: Set<String>?, decisions: Bool) {
        self.metrics = metrics
        self.decisions = decisions
    }

    /// Everything: every final metric and every decision.
    public static let full = RecordDetail(metrics: nil, decisions: true)
}

/// Where a leaderboard page ends: the last trial's objective value and number.
public struct LeaderboardCursor: Sendable, Equatable {
    public var value: Double
    public var number: Int

    public init(value: Double, number: Int) {
        self.value = value
        self.number = number
    }
}

extension ExperimentReader {
    /// The experiment with this name, or an error listing the known names.
    public func requireExperiment(_ name: String) async throws -> ExperimentRecord {
        if let record = try await experiment(named: name) { return record }
        throw StoreError.noExperiment(name: name, known: try await experimentNames())
    }

    /// The best feasible completed trial (of a multi-objective experiment: the front-1 trial best on the first
    /// objective), or nil.
    public func best(_ experiment: ExperimentRecord) async throws -> TrialRecord? {
        try await leaderboard(experiment, top: 1).first.flatMap { $0.isFeasible ? $0 : nil }
    }

    /// Every trial (optionally in one state) by number, read page by page: memory stays constant however many
    /// trials the experiment holds.
    public func allTrials(_ experiment: ExperimentRecord, state: TrialState? = nil, pageSize: Int = 2000) -> TrialStream {
        TrialStream { last in
            let page = try await self.trialPage(experiment, state: state, after: last?.number, limit: pageSize)
            return page
        }
    }

    /// Up to `limit` completed trials in leaderboard order after `cursor`, with every metric and decision.
    public func leaderboardPage(_ experiment: ExperimentRecord, after cursor: LeaderboardCursor?, limit: Int) async throws -> [TrialRecord] {
        try await leaderboardPage(experiment, after: cursor, limit: limit, detail: .full)
    }

    /// Completed trials in leaderboard order, read page by page (`top` stops after that many), carrying `detail`.
    /// A multi-objective or constrained experiment is ranked by front (`FrontRanking`), which reads every completed
    /// trial's objective values first; a single unconstrained objective streams from the index in constant memory.
    public func rankedTrials(
        _ experiment: ExperimentRecord, top: Int? = nil, pageSize: Int = 2000, detail: RecordDetail = .full
    ) -> TrialStream {
        if experiment.goals.ranksByFront { return frontRankedTrials(experiment, top: top, pageSize: pageSize, detail: detail) }
        return TrialStream(limit: top) { last in
            let cursor = last.flatMap { trial in trial.value.map { LeaderboardCursor(value: $0, number: trial.number) } }
            return try await self.leaderboardPage(experiment, after: cursor, limit: pageSize, detail: detail)
        }
    }

    /// Every trial of the experiment numbered `from` or more, for plots.
    public func trialPoints(_ experiment: ExperimentRecord) async throws -> [TrialPoint] {
        try await trialPoints(experiment, from: Int.min)
    }
}
