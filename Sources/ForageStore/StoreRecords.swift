import ForageCore
import Foundation

/// The life of an experiment as the store records it.
public enum ExperimentState: String, Sendable, Codable, CaseIterable {
    /// A process owns it and is running trials.
    case running
    /// It reached its budget (or its grid ran out).
    case finished
    /// Its process stopped before the budget was spent (Ctrl-C, kill, budget timeout); `resume` continues it.
    case interrupted
    /// It stopped on an error such as `max_failures`.
    case failed
}

/// Data versioning: which dataset a model experiment used, and how it was split.
public struct DataInfo: Sendable, Equatable, Codable {
    public var path: String
    public var sha256: String
    public var rows: Int
    public var columns: Int
    public var trainRows: Int
    public var validationRows: Int
    public var testRows: Int

    public init(path: String, sha256: String, rows: Int, columns: Int, trainRows: Int, validationRows: Int, testRows: Int) {
        self.path = path
        self.sha256 = sha256
        self.rows = rows
        self.columns = columns
        self.trainRows = trainRows
        self.validationRows = validationRows
        self.testRows = testRows
    }
}

/// One experiment row: its spec, budget, state and lineage.
public struct ExperimentRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var state: ExperimentState
    public var spec: String
    public var specSHA256: String
    public var specPath: String?
    /// Every objective and the constraints (one unconstrained objective for experiments stored before them).
    public var goals: ObjectiveSet
    /// The primary (first) objective.
    public var objective: Objective {
        get { goals.primary }
        set { goals.objectives[0] = newValue }
    }
    public var budgetTrials: Int
    public var budgetParallel: Int
    public var seed: UInt64
    public var forageVersion: String
    /// Parameter names in search-space order (leaderboard columns).
    public var parameterNames: [String]
    public var data: DataInfo?
    /// Every version of the data the experiment trained on, oldest first (the last is `data`); a trial's
    /// `dataVersion` numbers them from 1. More than one only after `resume --allow-data-change`.
    public var dataVersions: [DataInfo] = []
    /// Labels for finding experiments (`--tag team=vision`, `forage tag`, `status --tag`).
    public var tags: [String: String] = [:]
    public var message: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: Int64, name: String, state: ExperimentState, spec: String, specSHA256: String, specPath: String? = nil, objective: Objective, budgetTrials: Int, budgetParallel: Int, seed: UInt64, forageVersion: String, parameterNames: [String], data: DataInfo? = nil,
        dataVersions: [DataInfo] = [], tags: [String: String] = [:], message: String? = nil, createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil,
        goals: ObjectiveSet? = nil
    ) {
        self.goals = goals ?? ObjectiveSet(objective)
        self.id = id
        self.name = name
        self.state = state
        self.spec = spec
        self.specSHA256 = specSHA256
        self.specPath = specPath
        self.budgetTrials = budgetTrials
        self.budgetParallel = budgetParallel
        self.seed = seed
        self.forageVersion = forageVersion
        self.parameterNames = parameterNames
        self.data = data
        self.dataVersions = dataVersions
        self.tags = tags
        self.message = message
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// Why a scheduler stopped (or promoted) a trial, as stored.
public struct DecisionRecord: Sendable, Equatable, Codable {
    public var step: Int
    public var action: String
    public var reason: String?
    public var rung: Int?
    public var cutoff: Double?
    public var value: Double

    public init(
        step: Int, action: String, reason: String? = nil, rung: Int? = nil, cutoff: Double? = nil, value: Double
    ) {
        self.step = step
        self.action = action
        self.reason = reason
        self.rung = rung
        self.cutoff = cutoff
        self.value = value
    }
}

/// One trial as the CLI and reports show it.
public struct TrialRecord: Sendable, Equatable {
    public var number: Int
    /// The sampler draw the parameters came from (shared by a trial and its retries).
    public var draw: Int
    public var state: TrialState
    public var params: ParameterSet
    /// The primary objective's value.
    public var value: Double?
    /// Every objective's value in objective order (completed trials of a multi-objective experiment), or nil.
    public var values: [Double]? = nil
    /// Total constraint violation of a completed trial of a constrained experiment (0 = feasible), or nil.
    public var violation: Double? = nil
    /// The trial's Pareto front (1 = non-dominated) among the feasible completed trials, when the listing ranked
    /// by fronts; nil otherwise and for infeasible trials.
    public var front: Int? = nil
    /// Final metrics, or for an unfinished trial the last intermediate value of each metric.
    public var metrics: [String: Double]
    public var lastStep: Int?
    public var reason: FailureReason?
    public var message: String?
    public var attempt: Int
    public var retryOf: Int?
    /// True for a failed attempt that was re-queued: it does not count towards the budget.
    public var requeued: Bool
    public var worker: String?
    /// Which of the experiment's data versions the trial trained on (1-based), or nil without data.
    public var dataVersion: Int? = nil
    public var decisions: [DecisionRecord]
    public var startedAt: Date?
    public var finishedAt: Date?

    public var duration: Double? {
        guard let startedAt, let finishedAt else { return nil }
        return finishedAt.timeIntervalSince(startedAt)
    }

    /// Whether the trial met every constraint (true without constraints).
    public var isFeasible: Bool { (violation ?? 0) <= 0 }

    public init(
        number: Int, draw: Int, state: TrialState, params: ParameterSet, value: Double? = nil, metrics: [String: Double], lastStep: Int? = nil, reason: FailureReason? = nil, message: String? = nil, attempt: Int, retryOf: Int? = nil, requeued: Bool, worker: String? = nil,
        dataVersion: Int? = nil, decisions: [DecisionRecord], startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.number = number
        self.draw = draw
        self.state = state
        self.params = params
        self.value = value
        self.metrics = metrics
        self.lastStep = lastStep
        self.reason = reason
        self.message = message
        self.attempt = attempt
        self.retryOf = retryOf
        self.requeued = requeued
        self.worker = worker
        self.dataVersion = dataVersion
        self.decisions = decisions
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// Trial counts per state, plus the re-queued attempts waiting for their retry.
public struct TrialCounts: Sendable, Equatable, Codable {
    public var queued = 0
    public var running = 0
    public var completed = 0
    public var pruned = 0
    public var failed = 0

    public init() {}

    /// Trials that count towards the budget: final states, minus re-queued attempts (their retries count instead).
    public var finished: Int { completed + pruned + failed }
}
