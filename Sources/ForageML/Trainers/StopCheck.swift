/// The question a trainer asks inside its training loop: "should I stop now?" — asked once per boosting round
/// (gbdt), per epoch and every 64 mini-batches (MLP), and per solver iteration (logistic). When it answers yes the
/// trainer ends its loop with the model it has and says so in `FitOutcome.stoppedByCheck`; what that means for the
/// trial (cut at `budget.time`, interrupted) is the caller's rule, not the trainer's.
///
/// The check runs on the training thread, so it must be cheap (a clock read, an atomic load) and Sendable.
public struct StopCheck: Sendable {
    private let check: @Sendable () -> Bool

    /// A check that answers `check()`.
    public init(_ check: @escaping @Sendable () -> Bool) {
        self.check = check
    }

    /// A check that never asks to stop.
    public static let never = StopCheck { false }

    /// Whether the trainer should stop now.
    public var shouldStop: Bool { check() }
}
