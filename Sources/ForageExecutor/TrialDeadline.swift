import Synchronization

/// `budget.time`'s end for trials, as the engine sees it now: a built-in model trial still training when it passes
/// ends its loop and completes with the model it has. The engine may move it earlier (to keep the refit's estimated
/// time back) or later while trials run, so trials read it, never copy it.
public final class TrialDeadline: Sendable {
    private let instant: Mutex<ContinuousClock.Instant>

    public init(_ instant: ContinuousClock.Instant) {
        self.instant = Mutex(instant)
    }

    /// The instant it stands at now.
    public var current: ContinuousClock.Instant { instant.withLock { $0 } }

    /// Whether it has passed.
    public var hasPassed: Bool { ContinuousClock.now >= current }

    /// Moves it to `newInstant`.
    public func move(to newInstant: ContinuousClock.Instant) {
        instant.withLock { $0 = newInstant }
    }
}
