import ForageCore
import ForageSearch
import ForageStore

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

extension TrialJob {
    /// The next attempt to run: the oldest waiting retry (same parameters and draw, the next attempt), else the
    /// oldest queued parameter set (`forage enqueue`), else the sampler's next draw; nil once the sampler has no more points. The one proposal rule of a local run and of a
    /// shared store's driver.
    static func propose(
        retries: inout [PendingRetry], enqueued: inout [EnqueuedParameters], sampler: any Sampler, space: SearchSpace, history: TrialHistory, nextNumber: inout Int,
        nextDraw: inout Int, exhausted: inout Bool, worker: String?
    ) -> TrialJob? {
        if !retries.isEmpty {
            let retry = retries.removeFirst()
            defer { nextNumber += 1 }
            return TrialJob(
                number: nextNumber, draw: retry.draw, params: retry.params, attempt: retry.attempt + 1, retryOf: retry.original, worker: worker)
        }
        if !enqueued.isEmpty {
            let entry = enqueued.removeFirst()
            defer {
                nextNumber += 1
                nextDraw += 1
            }
            return TrialJob(number: nextNumber, draw: nextDraw, params: entry.params, attempt: 1, retryOf: nil, worker: worker, enqueued: entry.id)
        }
        guard !exhausted else { return nil }
        guard let params = sampler.suggest(index: nextDraw, space: space, history: history) else {
            exhausted = true
            return nil
        }
        defer {
            nextNumber += 1
            nextDraw += 1
        }
        return TrialJob(number: nextNumber, draw: nextDraw, params: params, attempt: 1, retryOf: nil, worker: worker)
    }
}
