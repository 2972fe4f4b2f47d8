/// How much of the trial history a searcher or scheduler needs, so that a run or resume loads only that.
///
/// The engine loads and keeps the most any of its parts asks for: with `none`, a search of a million trials keeps
/// no per-trial state at all.
public enum HistoryNeed: Int, Sendable, Comparable {
    /// Only counts (random, grid and Sobol sampling; no scheduler).
    case none
    /// Every trial's parameters, state and final objective value (learning samplers such as TPE).
    case outcomes
    /// Outcomes plus each trial's intermediate objective values (schedulers that judge learning curves).
    case curves

    public static func < (lhs: HistoryNeed, rhs: HistoryNeed) -> Bool { lhs.rawValue < rhs.rawValue }
}
