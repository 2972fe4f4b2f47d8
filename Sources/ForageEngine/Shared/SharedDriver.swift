import ForageCore
import ForageSearch
import ForageStore
import Foundation

/// The driver of an experiment on a shared store (DESIGN §10): while it holds the experiment's driver lock, it runs
/// the sampler over the history and keeps a short queue of suggested trials ahead of the workers, fails claims whose
/// lease ended (they are re-queued and retried under new numbers), and closes the experiment when its budget is
/// spent (`budget.trials`, or `budget.time` counted from the experiment's start: then nothing more is queued and the
/// running trials end as they would).
///
/// The driver keeps no state of its own between cycles: each one reads the counters, the waiting retries and the
/// history from the store, exactly as a `resume` does, so a driver that takes over from a dead one needs no hand-off.
/// Every write it makes is fenced by its lease, and the store never queues past the budget.
public struct SharedDriver: Sendable {
    let spec: ExperimentSpec
    let store: any SharedTrialStore
    let budget: Int
    let options: SharedRunOptions

    public init(spec: ExperimentSpec, store: any SharedTrialStore, budget: Int, options: SharedRunOptions) {
        self.spec = spec
        self.store = store
        self.budget = budget
        self.options = options
    }

    /// How a driver's turn ended.
    public enum End: Sendable, Equatable {
        /// It closed the experiment (budget spent, searcher exhausted, or `max_failures` reached).
        case closed(state: ExperimentState)
        /// The experiment was closed by someone else (another driver, a user).
        case closedElsewhere
        /// Another process took the driver's role over: this one's writes are refused.
        case superseded
        /// `stop()` was asked for (SIGTERM, Ctrl-C).
        case stopped
    }

    /// Drives the experiment under `lease` until it is closed, this driver is superseded, or `stopped` says so.
    public func drive(_ experiment: ExperimentRecord, lease: OwnerLease, stopped: @escaping @Sendable () -> Bool) async throws -> End {
        let sampler: any Sampler
        do {
            sampler = try SamplerRegistry.make(spec.searcher, space: spec.searchSpace)
        } catch {
            throw EngineError.configuration("\(error)")
        }
        let dataVersion = experiment.data == nil ? nil : max(1, experiment.dataVersions.count)
        // budget.time counts from the experiment's start (by the clock of the machine driving it now).
        let timeOrigin = experiment.startedAt ?? experiment.createdAt
        var lastHeartbeat = ContinuousClock.now - .seconds(3600)
        while !stopped() {
            do {
                if ContinuousClock.now - lastHeartbeat > .milliseconds(Int64(options.heartbeatInterval * 1000)) {
                    try await store.heartbeat(lease)
                    let lost = try await store.expireClaims(lease)
                    if !lost.isEmpty { options.log("failed \(lost.count) trial(s) whose worker stopped renewing its claim (lost-worker): \(lost.map(String.init).joined(separator: ", ")); they are re-queued") }
                    lastHeartbeat = .now
                }
                let queue = try await store.queueState(experiment: experiment.id)
                guard queue.state == ExperimentState.running.rawValue else { return .closedElsewhere }
                if let maxFailures = spec.budget.maxFailures, queue.failed >= maxFailures {
                    try await close(lease, .failed, "stopped after \(queue.failed) failed trials (budget.max_failures: \(maxFailures))")
                    return .closed(state: .failed)
                }
                if queue.finished >= budget {
                    try await close(lease, .finished, nil)
                    return .closed(state: .finished)
                }
                // budget.time: no trial starts once it is spent; the running ones end as they would, then it closes.
                let timeIsUp = spec.budget.time.map { Date().timeIntervalSince(timeOrigin) >= $0 } ?? false
                if timeIsUp, let time = spec.budget.time {
                    if queue.queued > 0 { try await store.dropQueued(lease) }
                    if queue.running == 0 {
                        let done = queue.finished
                        try await close(lease, .finished, "budget.time of \(SearchEngine.seconds(time)) reached after \(done) trial\(done == 1 ? "" : "s")")
                        return .closed(state: .finished)
                    }
                    try? await Task.sleep(for: .milliseconds(Int64(options.slowCycle * 1000)))
                    continue
                }
                let counted = queue.finished + queue.running + queue.queued
                let ahead = sampler.learnsFromHistory ? max(options.queueAhead, 1) : max(options.queueAhead, 4 * queue.running, 2048)
                // A sampler that does not learn refills a long queue once it is half drained, in one large insert, so
                // the driver reads the history a few times a second rather than on every cycle.
                let due = sampler.learnsFromHistory || queue.queued * 2 < ahead
                let wanted = due ? min(ahead - queue.queued, budget - counted) : 0
                var proposed: [TrialStart] = []
                var exhausted = false
                if wanted > 0 {
                    let point = try await store.resumePoint(experiment, need: sampler.historyNeed)
                    var history = point.history
                    var retries = point.retries.map { PendingRetry(original: $0.number, draw: $0.draw, params: $0.params, attempt: $0.attempt) }
                    var nextNumber = point.nextNumber
                    var nextDraw = point.nextDraw
                    var enqueued = try await store.pendingEnqueued(experiment)
                    while proposed.count < wanted,
                        let job = TrialJob.propose(
                            retries: &retries, enqueued: &enqueued, sampler: sampler, space: spec.searchSpace, history: history, nextNumber: &nextNumber,
                            nextDraw: &nextDraw, exhausted: &exhausted, worker: nil)
                    {
                        if sampler.historyNeed > .none { history.upsert(TrialSnapshot(number: job.number, state: .queued, params: job.params)) }
                        proposed.append(
                            TrialStart(
                                number: job.number, draw: job.draw, params: job.params, attempt: job.attempt, retryOf: job.retryOf,
                                dataVersion: dataVersion, enqueued: job.enqueued))
                    }
                    if !proposed.isEmpty { _ = try await store.queueTrials(lease, proposed, budget: budget) }
                    if exhausted && proposed.isEmpty && queue.running == 0 && queue.queued == 0 && point.retries.isEmpty {
                        try await close(lease, .finished, "the searcher has no more points (grid exhausted) after \(queue.finished) of \(budget) trials")
                        return .closed(state: .finished)
                    }
                }
                // A queue that ran dry is refilled sooner.
                let pause = queue.queued == 0 || !proposed.isEmpty ? options.fastCycle : options.slowCycle
                try? await Task.sleep(for: .milliseconds(Int64(pause * 1000)))
            } catch let error as StoreError {
                if case .lostOwnership = error { return .superseded }
                throw error
            }
        }
        return .stopped
    }

    private func close(_ lease: OwnerLease, _ state: ExperimentState, _ message: String?) async throws {
        try await store.dropQueued(lease)
        try await store.close(lease, state: state, message: message)
    }
}

/// How a process takes part in a search on a shared store: as a driver candidate and with its worker slots.
public struct SharedRunOptions: Sendable {
    /// Seconds a worker's claim lives without a renewal; then the driver fails it as `lost-worker`.
    public var leaseSeconds: Double = 10
    /// Seconds between the driver's heartbeats (and its sweeps for ended claims).
    public var heartbeatInterval: Double = 0.5
    /// Seconds between attempts to take the driver's role while another process holds it.
    public var electionInterval: Double = 0.5
    /// Trials the driver keeps queued ahead of the workers when its sampler learns from the history (at least the
    /// running count four times over otherwise, and never fewer than 2 048, refilled once half drained: fast trials on many workers drain a short queue between two cycles).
    public var queueAhead: Int = 4
    /// Seconds between driver cycles while the queue keeps up, and after it ran dry.
    public var slowCycle: Double = 0.1
    public var fastCycle: Double = 0.01
    /// Where notable events go.
    public var log: @Sendable (String) -> Void = { _ in }

    public init() {}
}
