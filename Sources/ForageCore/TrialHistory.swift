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

    public init(number: Int, state: TrialState, params: ParameterSet, value: Double? = nil, intermediate: [Int: Double] = [:]) {
        self.number = number
        self.state = state
        self.params = params
        self.value = value
        self.intermediate = intermediate
    }

    /// The last reported step, if any.
    public var lastStep: Int? { intermediate.keys.max() }
}

/// The trial history of one experiment, in trial-number order: the only input, besides the space and a seeded
/// generator, that searchers and schedulers get. It is rebuilt from the store on resume, so decisions are stateless.
public struct TrialHistory: Sendable, Equatable {
    public var objective: Objective
    public private(set) var trials: [TrialSnapshot]
    private var indexByNumber: [Int: Int]

    public init(objective: Objective, trials: [TrialSnapshot] = []) {
        self.objective = objective
        self.trials = []
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
        } else {
            indexByNumber[trial.number] = trials.count
            trials.append(trial)
        }
    }

    /// Records an intermediate objective value for a trial already in the history.
    public mutating func record(number: Int, step: Int, value: Double) {
        guard let index = indexByNumber[number] else { return }
        trials[index].intermediate[step] = value
    }

    /// Marks a trial's final state and value.
    public mutating func finish(number: Int, state: TrialState, value: Double?) {
        guard let index = indexByNumber[number] else { return }
        trials[index].state = state
        trials[index].value = value
    }

    /// Trials with a final objective value (completed and pruned), which searchers learn from.
    public var finished: [TrialSnapshot] {
        trials.filter { ($0.state == .completed || $0.state == .pruned) && $0.value != nil }
    }

    /// The best completed trial under the objective's direction.
    public var best: TrialSnapshot? {
        var best: TrialSnapshot?
        for trial in trials where trial.state == .completed {
            guard let value = trial.value else { continue }
            if let incumbent = best?.value, !objective.direction.isBetter(value, than: incumbent) { continue }
            best = trial
        }
        return best
    }
}
