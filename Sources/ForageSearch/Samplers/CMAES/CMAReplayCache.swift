import ForageCore
import Synchronization

/// The CMA states a CMA-ES sampler's last replay passed through, by history position, so the next replay starts
/// from the latest one whose trials are unchanged instead of from the first trial: a pure speed-up (a suggestion on
/// 10 000 trials replays the few generations told since the last one, not all of them).
///
/// A checkpoint is the state right after a generation was told (and any restart it caused), at the position of the
/// trial that completed it. It stays valid while every trial up to that position has the revision it had
/// (`TrialHistory.revisions`: trials never move, a changed one gets a new revision), the warm-start trials are the
/// same, and the sampler replays the same axes in the same direction. The latest few checkpoints are kept: a trial
/// that finishes out of order (a parallel slot) invalidates only those after its position.
final class CMAReplayCache: Sendable {
    /// A state after a told generation.
    struct Checkpoint: Sendable {
        /// The position in `history.trials` of the trial that completed the generation.
        let position: Int
        let state: CMAState
        let restart: Int
        let lastTold: Int
    }

    private struct Stored: Sendable {
        let axes: [Parameter]
        let minimizes: Bool
        let revisions: [UInt64]
        let warmPositions: [Int]
        let checkpoints: [Checkpoint]
    }

    /// Checkpoints kept between replays for states of `dimensions` coordinates: 32, fewer when the states are large
    /// (a state holds two `n × n` matrices; the kept ones stay within about 32 MB).
    static func limit(dimensions n: Int) -> Int {
        max(1, min(32, 2_000_000 / max(1, n * n)))
    }

    private let stored = Mutex<Stored?>(nil)

    /// The checkpoints still valid for `history` (see the type's documentation), in position order; empty when none.
    func checkpoints(axes: [Parameter], minimizes: Bool, history: TrialHistory, warmPositions: [Int]) -> [Checkpoint] {
        guard let last = stored.withLock({ $0 }), last.axes == axes, last.minimizes == minimizes,
            last.warmPositions == warmPositions
        else { return [] }
        let unchanged = Self.unchangedPrefix(last.revisions, history.revisions)
        // A warm-start trial that changed alters the first state, and so every checkpoint.
        if let lastWarm = warmPositions.last, lastWarm >= unchanged { return [] }
        return last.checkpoints.filter { $0.position < unchanged }
    }

    /// Keeps the latest `limit(dimensions:)` of `checkpoints` (in position order) for `history`.
    func store(_ checkpoints: [Checkpoint], axes: [Parameter], minimizes: Bool, history: TrialHistory, warmPositions: [Int]) {
        let kept = Stored(
            axes: axes, minimizes: minimizes, revisions: history.revisions, warmPositions: warmPositions,
            checkpoints: Array(checkpoints.suffix(Self.limit(dimensions: axes.count))))
        stored.withLock { $0 = kept }
    }

    /// How many leading revisions `a` and `b` share.
    static func unchangedPrefix(_ a: [UInt64], _ b: [UInt64]) -> Int {
        let count = min(a.count, b.count)
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var k = 0
                while k < count && a[k] == b[k] { k += 1 }
                return k
            }
        }
    }
}
