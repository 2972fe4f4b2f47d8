import ForageCore
import ForageExecutor
import Foundation

/// `forage worker`: leases trials from a coordinator, runs them here and sends back their reports and outcomes.
///
/// Each of `parallel` slots asks for one attempt at a time. While an attempt runs, its lease is renewed every third
/// of its timeout; a report waits for the scheduler's decision when the coordinator judges reports, and otherwise
/// travels with the finish. A lease the coordinator no longer holds (409) stops its attempt and drops its result.
/// While the coordinator is unreachable, calls are retried with exponential backoff, so a restarted coordinator
/// finds its workers again. `stop()` (SIGTERM) stops the running attempts, hands them back as `interrupted`, and
/// returns.
public actor Worker {
    private let options: WorkerOptions
    private let client: CoordinatorClient
    private var experiments: [String: Task<WorkerExperiment, any Error>] = [:]
    private var held: [String: HeldAttempt] = [:]
    private var stopping = false
    private var finishedMessage: String?
    private var summary = WorkerSummary()

    private struct HeldAttempt {
        var grant: CoordinatorAPI.Grant
        var flag: CancellationFlag
        var lost = false
    }

    public init(options: WorkerOptions) throws(CoordinatorClientError) {
        self.options = options
        client = try CoordinatorClient(url: options.coordinator, token: options.token, caFile: options.caFile)
    }

    /// Runs until the coordinator says the run is over, or `stop()` is called; throws when the token is refused or
    /// this machine cannot run the experiment.
    public func run() async throws -> WorkerSummary {
        options.log("worker \(options.name): \(options.parallel) slot(s), coordinator \(options.coordinator.hasPrefix("https:") ? "https" : "http")://\(client.host):\(client.port)")
        let renewals = Task { await self.renewLeases() }
        defer { renewals.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<max(1, options.parallel) {
                group.addTask { try await self.slot(index) }
            }
            do {
                try await group.waitForAll()
            } catch {
                stop()
                group.cancelAll()
                while (try? await group.next()) != nil {}
                throw error
            }
        }
        summary.reason = finishedMessage ?? (stopping ? "stopped" : "done")
        return summary
    }

    /// Stops leasing; running and queued attempts are stopped and handed back as `interrupted`.
    public func stop() {
        stopping = true
        for attempt in held.values { attempt.flag.cancel() }
    }

    /// One slot: lease, run, finish, until the run is over or the worker stops. The finish call carries the request
    /// for the next attempts, so a trial costs one round trip. When trials take under a few milliseconds, the slot
    /// leases them in growing batches (up to `maxBatch`) and finishes each batch in one call.
    private func slot(_ index: Int) async throws {
        var queue: [CoordinatorAPI.Grant] = []
        var batchSize = 1
        var backoff = Backoff(limit: options.maxBackoff)
        while (!stopping && finishedMessage == nil) || !queue.isEmpty {
            if queue.isEmpty {
                let answer: CoordinatorAPI.LeaseResponse
                do {
                    answer = try await client.lease(worker: options.name, max: batchSize)
                    backoff.reset()
                } catch {
                    guard case .unreachable(let message) = error else { throw error }
                    if backoff.attempts == 0 { options.log("coordinator unreachable (\(message)); retrying") }
                    try? await Task.sleep(for: .milliseconds(Int64(backoff.next() * 1000)))
                    continue
                }
                queue = await accept(answer)
                continue
            }
            let batch = queue
            queue = []
            let started = ContinuousClock.now
            var finished: [FinishedAttempt] = []
            for grant in batch {
                finished.append(try await runAttempt(grant, slot: index))
            }
            batchSize = Self.nextBatchSize(after: ContinuousClock.now - started, attempts: batch.count, current: batchSize)
            if let next = await send(finished, askFor: stopping ? nil : batchSize) {
                queue = await accept(next)
            }
        }
    }

    /// Largest number of attempts leased at once by one slot.
    static let maxBatch = 32

    /// Doubles the batch while attempts take under 2 ms each, and goes back to one at a time past 20 ms, so slow
    /// trials are never held back behind others.
    static func nextBatchSize(after elapsed: Duration, attempts: Int, current: Int) -> Int {
        let each = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(max(attempts, 1))
        if each < 0.002 { return min(maxBatch, current * 2) }
        if each > 0.02 { return 1 }
        return current
    }

    /// The attempts a lease answer grants (held from now on, so they are renewed); notes a finished run, and pauses
    /// as a `wait` asks.
    private func accept(_ answer: CoordinatorAPI.LeaseResponse) async -> [CoordinatorAPI.Grant] {
        switch answer.status {
        case .finished:
            if finishedMessage == nil { options.log("the coordinator has no more work: \(answer.message ?? "run over")") }
            finishedMessage = answer.message ?? "run over"
            return []
        case .wait:
            try? await Task.sleep(for: .milliseconds(Int64((answer.retryAfter ?? 0.2) * 1000)))
            return []
        case .granted:
            for grant in answer.leases {
                let flag = CancellationFlag()
                if stopping { flag.cancel() }
                held[grant.lease] = HeldAttempt(grant: grant, flag: flag)
            }
            return answer.leases
        }
    }

    /// An attempt that ended here, waiting to be sent.
    private struct FinishedAttempt {
        var grant: CoordinatorAPI.Grant
        var outcome: TrialOutcome
        var reports: [CoordinatorAPI.Report]
    }

    /// Runs one leased attempt (or, when the worker is stopping, hands it back unstarted as `interrupted`).
    private func runAttempt(_ grant: CoordinatorAPI.Grant, slot: Int) async throws -> FinishedAttempt {
        let flag = held[grant.lease]?.flag ?? CancellationFlag()
        if flag.isCancelled {
            let outcome = TrialOutcome.failed(reason: .interrupted, message: "worker \(options.name) stopped before it started", metrics: [:])
            return FinishedAttempt(grant: grant, outcome: outcome, reports: [])
        }
        let experiment: WorkerExperiment
        do {
            experiment = try await self.experiment(for: grant)
        } catch {
            let failure = WorkerSetupError(experiment: grant.experiment, underlying: "\(error)")
            let outcome = TrialOutcome.failed(reason: .interrupted, message: "worker \(options.name): \(failure)", metrics: [:])
            _ = await send([FinishedAttempt(grant: grant, outcome: outcome, reports: [])], askFor: nil)
            throw failure
        }
        let buffer = ReportBuffer()
        let client = self.client
        let reporter = TrialReporter(
            judges: grant.judgesReports, cancellation: flag,
            submit: { step, values in buffer.append(CoordinatorAPI.Report(step: step, values: values)) },
            judge: { step, values in
                do {
                    return try await client.report(lease: grant.lease, CoordinatorAPI.Report(step: step, values: values)).action
                } catch {
                    guard case CoordinatorClientError.leaseNotHeld? = error as? CoordinatorClientError else {
                        // The decision is unknown: go on, as the scheduler would in doubt; the finish still carries the result.
                        return .continue
                    }
                    await self.markLost(grant.lease)
                    return .stop
                }
            })
        var invocation = experiment.invocation(for: grant)
        invocation.slot = slot
        invocation.gpus = options.gpus?.devices(slot: slot)
        let outcome = await experiment.executor.run(invocation, reporter: reporter)
        if case .completed = outcome { await uploadModelFiles(of: grant, from: invocation.directory) }
        return FinishedAttempt(grant: grant, outcome: outcome, reports: buffer.drain())
    }

    /// Sends a completed attempt's model files (`model*`) to the coordinator, so that `promote` finds them there.
    private func uploadModelFiles(of grant: CoordinatorAPI.Grant, from folder: URL) async {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter(CoordinatorAPI.isArtifactName).sorted()
        for name in names {
            guard let contents = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            var backoff = Backoff(limit: options.maxBackoff)
            while true {
                do {
                    try await client.upload(lease: grant.lease, name: name, contents: contents)
                    break
                } catch {
                    if case .unreachable = error, !(stopping && backoff.attempts >= 3) {
                        try? await Task.sleep(for: .milliseconds(Int64(backoff.next() * 1000)))
                        continue
                    }
                    if case .leaseNotHeld = error { markLost(grant.lease) }
                    options.log("trial \(grant.trial): could not upload \(name): \(error)")
                    break
                }
            }
        }
    }

    /// Sends finished attempts in one call, retrying while the coordinator is unreachable; attempts whose lease is
    /// no longer held are dropped. Returns the answer to the request for `askFor` more attempts.
    private func send(_ attempts: [FinishedAttempt], askFor: Int?) async -> CoordinatorAPI.LeaseResponse? {
        var pending: [FinishedAttempt] = []
        for attempt in attempts {
            if held[attempt.grant.lease]?.lost == true {
                held[attempt.grant.lease] = nil
                summary.dropped += 1
                options.log("trial \(attempt.grant.trial) attempt \(attempt.grant.attempt): dropped (its lease was lost)")
            } else {
                pending.append(attempt)
            }
        }
        defer { for attempt in pending { held[attempt.grant.lease] = nil } }
        var backoff = Backoff(limit: options.maxBackoff)
        while true {
            let next = askFor.map { CoordinatorAPI.LeaseRequest(worker: options.name, max: $0) }
            let request = CoordinatorAPI.BatchFinishRequest(
                results: pending.map { .init(lease: $0.grant.lease, result: CoordinatorAPI.FinishRequest(outcome: $0.outcome, reports: $0.reports)) },
                next: next)
            do {
                let answer = try await client.finish(request)
                for (attempt, item) in zip(pending, answer.results) {
                    if item.status == .refused {
                        summary.dropped += 1
                        options.log("trial \(attempt.grant.trial) attempt \(attempt.grant.attempt): dropped (\(item.error ?? "refused"))")
                    } else {
                        count(attempt.outcome)
                        options.log(Self.line(attempt.grant, attempt.outcome))
                    }
                }
                return answer.next
            } catch {
                guard case .unreachable(let message) = error else {
                    summary.dropped += pending.count
                    options.log("the coordinator refused \(pending.count) result(s): \(error)")
                    return nil
                }
                if backoff.attempts == 0 { options.log("coordinator unreachable while sending results (\(message)); retrying") }
                if stopping && backoff.attempts >= 3 {
                    options.log("\(pending.count) result(s) not delivered (the coordinator stayed unreachable)")
                    return nil
                }
                try? await Task.sleep(for: .milliseconds(Int64(backoff.next() * 1000)))
            }
        }
    }

    /// Renews every held lease each third of the lease timeout; a lease the coordinator no longer holds stops its attempt.
    private func renewLeases() async {
        while !Task.isCancelled {
            let timeout = held.values.map(\.grant.leaseTimeout).min() ?? 3
            try? await Task.sleep(for: .milliseconds(Int64(max(0.05, timeout / 3) * 1000)))
            for (lease, attempt) in held where !attempt.lost {
                do {
                    let answer = try await client.renew(lease: lease)
                    if answer.action == .stop { held[lease]?.flag.cancel() }
                } catch {
                    // Unreachable: the next round tries again; the lease may expire meanwhile, and then 409 tells us.
                    if case .leaseNotHeld = error { markLost(lease) }
                }
            }
        }
    }

    private func markLost(_ lease: String) {
        guard held[lease] != nil else { return }
        held[lease]?.lost = true
        held[lease]?.flag.cancel()
    }

    /// The experiment of a grant, set up once per spec (the spec fetched from the coordinator).
    private func experiment(for grant: CoordinatorAPI.Grant) async throws -> WorkerExperiment {
        if let task = experiments[grant.specSHA256] { return try await task.value }
        let client = self.client
        let options = self.options
        let task = Task {
            let document = try await client.spec()
            return try WorkerExperiment(document, options: options)
        }
        experiments[grant.specSHA256] = task
        do {
            return try await task.value
        } catch {
            experiments[grant.specSHA256] = nil
            throw error
        }
    }

    private func count(_ outcome: TrialOutcome) {
        switch outcome {
        case .completed: summary.completed += 1
        case .pruned: summary.pruned += 1
        case .failed: summary.failed += 1
        }
    }

    private static func line(_ grant: CoordinatorAPI.Grant, _ outcome: TrialOutcome) -> String {
        let head = "trial \(grant.trial) attempt \(grant.attempt)"
        switch outcome {
        case .completed(let metrics): return "\(head) completed \(metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        case .pruned: return "\(head) pruned"
        case .failed(let reason, let message, _): return "\(head) failed (\(reason.rawValue)): \(message)"
        }
    }
}
