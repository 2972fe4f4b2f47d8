/// Where a trial is in its life. `completed`, `pruned` and `failed` are final.
public enum TrialState: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case completed
    case pruned
    case failed

    public var isFinal: Bool { self == .completed || self == .pruned || self == .failed }
}

/// Why a trial failed.
public enum FailureReason: String, Sendable, Codable, CaseIterable {
    /// The trial raised an error, exited non-zero or reported no objective.
    case error
    /// The trial outlived its `timeout`.
    case timeout
    /// The objective was NaN or infinite.
    case nan
    /// The process running the experiment stopped while the trial ran (re-queued on resume).
    case interrupted
    /// A remote worker stopped renewing its lease (re-queued).
    case lostWorker = "lost-worker"

    /// Reasons whose attempt is re-queued with the same parameters whatever `retries` says.
    public var alwaysRequeued: Bool { self == .interrupted || self == .lostWorker }
}
