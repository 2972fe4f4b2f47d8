import Synchronization
/// What searchers and schedulers know about one trial: its parameters, state, objective value and the objective's
/// intermediate values by step.
public struct TrialSnapshot: Sendable, Equatable {
    public var number: Int
    public var state: TrialState
    public var params: ParameterSet
    /// The objective's final value (completed) or last value (pruned); nil otherwise.
    public var value: Double?
    /// The objective metric's intermediate values, by step.
    public var intermediate: [Int: Double]
    /// Every objective's final value in objective order (completed trials of a multi-objective experiment), or nil.
    public var values: [Double]?
    /// Total constraint violation (0 = feasible) of a completed trial of a constrained experiment, or nil.
    public var violation: Double?

    public init(
        number: Int, state: TrialState, params: ParameterSet, value: Double? = nil, intermediate: [Int: Double] = [:],
        values: [Double]? = nil, violation: Double? = nil
    ) {
        self.values = values
        self.violation = violation
        self.number = number
        self.state = state
        self.params = params
        self.value = value
        self.intermediate = intermediate
    }

    /// The last reported step, if any.
    public var lastStep: Int? { intermediate.keys.max() }

    /// Whether the trial met every constraint (true when there are none).
    public var isFeasible: Bool { (violation ?? 0) <= 0 }
}

/// The trial history of one experiment, in trial-number order: the only input, besides the space and a seeded
/// generator, that searchers and schedulers get. It is rebuilt from the store on resume, so decisions are stateless.
public struct TrialHistory: Sendable, Equatable {
    /// The primary objective (the one `value` holds).
    public var objective: Objective {
        get { goals.primary }
        set { goals.objectives[0] = newValue }
    }
    /// Every objective and the constraints; `TrialSnapshot.values` follow its objective order.
    public var goals: ObjectiveSet
    public private(set) var trials: [TrialSnapshot]
    /// One revision per trial, aligned with `trials`: renewed whenever that trial changes (`upsert`, `record`,
    /// `finish`) and unique within the process, so a trial whose revision a sampler saw before is, in any history,
    /// exactly the trial it saw (trials never move: a new number is appended, a known one replaced in place). For
    /// caches that must only ever speed a suggestion up, never change it; `==` ignores it.
    public private(set) var revisions: [UInt64]
    private var indexByNumber: [Int: Int]

    public init(objective: Objective, trials: [TrialSnapshot] = []) {
        self.init(goals: ObjectiveSet(objective), trials: trials)
    }

    public init(goals: ObjectiveSet, trials: [TrialSnapshot] = []) {
        self.goals = goals
        self.trials = []
        self.revisions = []
        self.indexByNumber = [:]
        for trial in trials.sorted(by: { $0.number < $1.number }) { upsert(trial) }
    }

    public subscript(number: Int) -> TrialSnapshot? {
        indexByNumber[number].map { trials[$0] }
    }

    /// Adds a trial or replaces the one with the same number.
    public mutating func upsert(_ trial: TrialSnapshot) {
        if let index = indexByNumber[trial.number] {
            trials[index] = trial
            revisions[index] = TrialRevision.next()
        } else {
            indexByNumber[trial.number] = trials.count
            trials.append(trial)
            revisions.append(TrialRevision.next())
        }
    }

    /// Records an intermediate objective value for a trial already in the history.
    public mutating func record(number: Int, step: Int, value: Double) {
        guard let index = indexByNumber[number] else { return }
        trials[index].intermediate[step] = value
        revisions[index] = TrialRevision.next()
    }

    /// Marks a trial's final state and value (with every objective's value and its constraint violation).
    public mutating func finish(number: Int, state: TrialState, value: Double?, values: [Double]? = nil, violation: Double? = nil) {
        guard let index = indexByNumber[number] else { return }
        trials[index].state = state
        trials[index].value = value
        trials[index].values = values
        trials[index].violation = violation
        revisions[index] = TrialRevision.next()
    }

    /// Equal goals and trials (revisions aside).
    public static func == (a: TrialHistory, b: TrialHistory) -> Bool {
        a.goals == b.goals && a.trials == b.trials
    }

    /// A completed trial's losses (smaller is better) for every objective, or nil without them.
    public func losses(_ trial: TrialSnapshot) -> [Double]? {
        if goals.isMultiObjective { return trial.values.map(goals.losses) }
        return trial.value.map { [objective.direction.loss($0)] }
    }

    /// Trials with a final objective value (completed and pruned), which searchers learn from.
    public var finished: [TrialSnapshot] {
        trials.filter { ($0.state == .completed || $0.state == .pruned) && $0.value != nil }
    }

    /// The best feasible completed trial under the primary objective's direction.
    public var best: TrialSnapshot? {
        var best: TrialSnapshot?
        for trial in trials where trial.state == .completed && trial.isFeasible {
            guard let value = trial.value else { continue }
            if let incumbent = best?.value, !objective.direction.isBetter(value, than: incumbent) { continue }
            best = trial
        }
        return best
    }
}

/// The process-wide source of `TrialHistory.revisions`.
private enum TrialRevision {
    static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 { counter.wrappingAdd(1, ordering: .relaxed).newValue }
}
