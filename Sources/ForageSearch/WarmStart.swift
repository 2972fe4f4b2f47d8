import ForageCore

/// Another experiment's completed trials, fitted to this experiment's space (`warm_start:`), and how many were left out.
///
/// A trial is kept only if every value it has for one of this space's parameters lies inside that parameter's
/// distribution (a narrowed range or a removed choice drops it, so it cannot pull the search outside the space).
/// Parameters this space does not have are ignored, and so are values of parameters that are inactive here. Active
/// parameters the trial lacks (added since) stay missing: TPE models each such parameter from the trials that have
/// it and the rest jointly; CMA-ES and GP-BO, which need a complete point, use only the complete trials.
public struct WarmStart: Sendable, Equatable {
    /// The kept trials as history snapshots, numbered −1, −2, … (before this experiment's own trials).
    public private(set) var trials: [TrialSnapshot] = []
    /// Completed trials left out because a value lies outside this space.
    public private(set) var outside = 0
    /// Kept trials that lack one of this space's active parameters.
    public private(set) var partial = 0

    /// Fits `source` (the other experiment's completed trials: parameters and objective value) to `space`.
    public init(source: [(params: ParameterSet, value: Double)], space: SearchSpace) {
        for (params, value) in source where value.isFinite {
            guard let fitted = Self.fit(params, to: space) else {
                outside += 1
                continue
            }
            if fitted.missing { partial += 1 }
            trials.append(TrialSnapshot(number: -(trials.count + 1), state: .completed, params: fitted.params, value: value))
        }
    }

    /// `params` restricted to `space`, or nil when one of its values lies outside; `missing` when an active
    /// parameter of `space` has no value.
    static func fit(_ params: ParameterSet, to space: SearchSpace) -> (params: ParameterSet, missing: Bool)? {
        var kept = ParameterSet()
        var missing = false
        for parameter in space.parameters {
            guard parameter.isActive(given: kept) else { continue }
            guard let given = params[parameter.name] else {
                missing = true
                continue
            }
            let value = parameter.distribution.exact(given)
            guard parameter.distribution.contains(value) else { return nil }
            kept[parameter.name] = value
        }
        return (kept, missing)
    }
}

extension TrialSnapshot {
    /// True for a trial of another experiment a warm start learns from (`WarmStart` numbers them below zero).
    public var isWarmStart: Bool { number < 0 }
}

/// A sampler that also sees a warm start's trials, ahead of the experiment's own history. Everything else is the
/// wrapped sampler's: its draws, its options, whether it learns.
public struct WarmStartedSampler: Sampler {
    public let base: any Sampler
    public let warm: WarmStart

    public init(base: any Sampler, warm: WarmStart) {
        self.base = base
        self.warm = warm
    }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        base.suggest(index: index, space: space, history: TrialHistory(objective: history.objective, trials: warm.trials + history.trials))
    }

    public var learnsFromHistory: Bool { base.learnsFromHistory }
    public var historyNeed: HistoryNeed { base.historyNeed }
}
