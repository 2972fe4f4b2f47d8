import ForageCore
import ForageStore

extension TrialRecord {
    /// Why a pruned trial stopped: the reason of the scheduler's `stop` decision (its step when it gave none).
    var pruneReason: String? {
        guard let stop = decisions.last(where: { $0.action == "stop" }) else { return nil }
        return stop.reason ?? "stopped at step \(stop.step)"
    }

    /// The `reason` of `trials --format json`: a failed trial's failure reason, a pruned trial's stop decision.
    var reasonText: String? {
        reason?.rawValue ?? pruneReason
    }
}
