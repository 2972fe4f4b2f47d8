import ForageCore

/// One attempt the engine is about to run: a fresh draw from the sampler, or a retry of a re-queued attempt.
struct TrialJob: Sendable {
    var number: Int
    var draw: Int
    var params: ParameterSet
    var attempt: Int
    var retryOf: Int?
    /// The remote worker running it, or nil for a local slot.
    var worker: String? = nil
    /// The queued parameter set it runs (`forage enqueue`, `enqueue:`), or nil.
    var enqueued: Int64? = nil
}

/// A re-queued attempt waiting for its retry.
struct PendingRetry: Sendable {
    var original: Int
    var draw: Int
    var params: ParameterSet
    var attempt: Int
}
