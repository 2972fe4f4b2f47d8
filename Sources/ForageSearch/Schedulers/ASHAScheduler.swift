import ForageCore

/// Asynchronous successive halving (`scheduler: asha`, Li et al. 2020).
///
/// When a trial's report first reaches a rung (see `ASHARungs`), its value is judged against the values the other
/// trials recorded at that rung so far (each trial's value at its first step at or past the rung, whatever its state
/// now). It continues — is promoted — when it is at least as good as their `1/reduction` quantile
/// (`ASHARungs.cutoff`, a recorded value); otherwise it is stopped. As in Ray Tune's ASHA, the first trial at a rung
/// goes on and every later one is judged, from the second on: the scheduler never waits for a rung to fill, and
/// about `1/reduction` of the trials pass each rung, so the epochs spent follow successive halving's arithmetic
/// (`min 3, max 27, reduction 3`: 7 of 27 epochs per trial, 26%). A trial that ties the cutoff is stopped unless
/// the cutoff is the best value at the rung (a trial as good as the best always goes on). Reports between rungs continue without a note; `maxResource` only bounds the rungs (a trial runs
/// to its own last step).
public struct ASHAScheduler: TrialScheduler {
    public let rungs: ASHARungs
    /// Restricts the rung-mates to these trials (Hyperband's brackets); nil means every trial.
    let isRungMate: (@Sendable (Int) -> Bool)?
    /// Words put before every reason (Hyperband names the bracket).
    let label: String

    public init(minResource: Int, maxResource: Int, reduction: Int) {
        self.init(rungs: ASHARungs(minResource: minResource, maxResource: maxResource, reduction: reduction), label: "", isRungMate: nil)
    }

    init(rungs: ASHARungs, label: String, isRungMate: (@Sendable (Int) -> Bool)?) {
        self.rungs = rungs
        self.label = label
        self.isRungMate = isRungMate
    }

    public var judgesReports: Bool { true }

    public func decide(trial number: Int, step: Int, value: Double, history: TrialHistory) -> SchedulerDecision {
        guard !value.isNaN else { return .proceed(step: step, value: value) }
        let previous = history[number]?.intermediate.keys.filter { $0 < step }.max()
        guard let k = rungs.rungCrossed(previousStep: previous, step: step) else { return .proceed(step: step, value: value) }
        let direction = history.objective.direction
        let loss = direction.loss(value)
        var mates: [Double] = []  // losses of the other trials at rung k
        for trial in history.trials where trial.number != number {
            if let isRungMate, !isRungMate(trial.number) { continue }
            if let v = rungs.value(at: k, in: trial.intermediate), !v.isNaN { mates.append(direction.loss(v)) }
        }
        let eta = rungs.reduction
        let place = "value \(format(value)) at rung \(k) (step \(step))"
        guard let cutoffLoss = rungs.cutoff(losses: mates) else {
            let reason = "\(label)\(place) is the first at its rung: promoted"
            return SchedulerDecision(action: .continue, reason: reason, rung: k, cutoff: nil, step: step, value: value)
        }
        let cutoff = direction.loss(cutoffLoss)  // loss ↔ value is its own inverse
        let mark = "cutoff \(format(cutoff)) from \(mates.count) other trial\(mates.count == 1 ? "" : "s")"
        // Promoted when strictly better than the cutoff, or as good as the best at the rung: on a metric with few
        // distinct values (accuracy on a small split) a trial that merely ties the cutoff is not in the top 1/eta.
        if loss < cutoffLoss || loss <= (mates.min() ?? loss) {
            let reason = "\(label)\(place) is in the top 1/\(eta) at the rung (\(mark)): promoted"
            return SchedulerDecision(action: .continue, reason: reason, rung: k, cutoff: cutoff, step: step, value: value)
        }
        let reason = "\(label)\(place) is not in the top 1/\(eta) at the rung (\(mark))"
        return SchedulerDecision(action: .stop, reason: reason, rung: k, cutoff: cutoff, step: step, value: value)
    }
}

extension ASHAScheduler {
    /// `scheduler: {algorithm: asha, resource, min, max, reduction}`.
    public static let entry = SchedulerEntry(
        name: "asha", summary: "asynchronous successive halving", options: ResourceOptions.keys
    ) { context in
        let resources = try ResourceOptions(context, scheduler: "asha")
        return ASHAScheduler(minResource: resources.minResource, maxResource: resources.maxResource, reduction: resources.reduction)
    }
}
