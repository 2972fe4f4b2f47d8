import ForageCore

/// Asynchronous successive halving (`scheduler: asha`, Li et al. 2020).
///
/// When a trial's report first reaches a rung (see `ASHARungs`), its value is ranked among the values every trial
/// recorded at that rung so far (each trial's value at its first step at or past the rung, whatever its state now;
/// the judged trial included). It continues — is promoted — only when it is in the top `1/reduction` of them;
/// otherwise it is stopped. The scheduler never waits for a rung to fill: early trials are judged against the
/// trials seen so far, and while a rung holds at most `reduction` trials every one is promoted. Ties go to the
/// judged trial. Reports between rungs continue without a note; `maxResource` only bounds the rungs (a trial runs to
/// its own last step).
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
        let count = mates.count + 1
        let promoted = rungs.promotedCount(of: count)
        let better = mates.filter { $0 < loss }.count
        let sorted = (mates + [loss]).sorted()
        let cutoff = direction.loss(sorted[promoted - 1])  // loss ↔ value is its own inverse
        let eta = rungs.reduction
        let place = "value \(format(value)) at rung \(k) (step \(step))"
        if better < promoted {
            let reason = count <= eta
                ? "\(label)\(place) is promoted: the rung holds \(count) of at most \(eta) trials that all go on"
                : "\(label)\(place) is in the top 1/\(eta) of \(count) trials (cutoff \(format(cutoff))): promoted"
            return SchedulerDecision(action: .continue, reason: reason, rung: k, cutoff: cutoff, step: step, value: value)
        }
        let reason = "\(label)\(place) is not in the top 1/\(eta) of \(count) trials (cutoff \(format(cutoff)))"
        return SchedulerDecision(action: .stop, reason: reason, rung: k, cutoff: cutoff, step: step, value: value)
    }
}
