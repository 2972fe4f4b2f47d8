import ForageCore
import ForageExecutor
import Foundation
import Synchronization

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
        client = try CoordinatorClient(url: options.coordinator, token: options.token)
    }

    /// Runs until the coordinator says the run is over, or `stop()` is called; throws when the token is refused or
    /// this machine cannot run the experiment.
    public func run() async throws -> WorkerSummary {
        options.log("worker \(options.name): \(options.parallel) slot(s), coordinator http://\(client.host):\(client.port)")
        let renewals = Task { await self.renewLeases() }
        defer { renewals.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.parallel) {
                group.addTask { try await self.slot() }
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

    /// Stops leasing; running attempts are stopped and handed back as `interrupted`.
    public func stop() {
        stopping = true
        for attempt in held.values { attempt.flag.cancel() }
    }

    /// One slot: lease, run, finish (asking for the next attempt in the same call), until the run is over or the
    /// worker stops. Attempts leased but not started when the worker stops are handed back as `interrupted`.
    private func slot() async throws {
        var queue: [CoordinatorAPI.Grant] = []
        var backoff = Backoff(limit: options.maxBackoff)
        while !stopping && finishedMessage == nil {
            if queue.isEmpty {
                let answer: CoordinatorAPI.LeaseResponse
                do {
                    answer = try await client.lease(worker: options.name, max: 1)
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
            let grant = queue.removeFirst()
            if let next = try await runAttempt(grant, askForNext: queue.isEmpty) {
                queue += await accept(next)
            }
        }
        for grant in queue {
            held[grant.lease] = HeldAttempt(grant: grant, flag: CancellationFlag())
            _ = await send(grant, .failed(reason: .interrupted, message: "worker \(options.name) stopped before starting it", metrics: [:]), reports: [], askForNext: false)
        }
    }

    /// The attempts a lease answer grants; notes a finished run, and pauses as a `wait` asks.
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
            return answer.leases
        }
    }

    /// Runs one leased attempt and sends its outcome; returns the coordinator's answer to the request for the next.
    private func runAttempt(_ grant: CoordinatorAPI.Grant, askForNext: Bool) async throws -> CoordinatorAPI.LeaseResponse? {
        let flag = CancellationFlag()
        held[grant.lease] = HeldAttempt(grant: grant, flag: flag)
        if stopping { flag.cancel() }
        let experiment: WorkerExperiment
        do {
            experiment = try await self.experiment(for: grant)
        } catch {
            let failure = WorkerSetupError(experiment: grant.experiment, underlying: "\(error)")
            _ = await send(grant, .failed(reason: .interrupted, message: "worker \(options.name): \(failure)", metrics: [:]), reports: [], askForNext: false)
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
        let outcome = await experiment.executor.run(experiment.invocation(for: grant), reporter: reporter)
        return await send(grant, outcome, reports: buffer.drain(), askForNext: askForNext)
    }

    /// Sends an outcome, retrying while the coordinator is unreachable; a lease no longer held drops it. Returns the
    /// answer to the next-lease request it carried.
    private func send(
        _ grant: CoordinatorAPI.Grant, _ outcome: TrialOutcome, reports: [CoordinatorAPI.Report], askForNext: Bool
    ) async -> CoordinatorAPI.LeaseResponse? {
        defer { held[grant.lease] = nil }
        if held[grant.lease]?.lost == true {
            summary.dropped += 1
            options.log("trial \(grant.trial) attempt \(grant.attempt): dropped (its lease was lost)")
            return nil
        }
        var backoff = Backoff(limit: options.maxBackoff)
        while true {
            let next = askForNext && !stopping ? CoordinatorAPI.LeaseRequest(worker: options.name, max: 1) : nil
            let request = CoordinatorAPI.FinishRequest(outcome: outcome, reports: reports, next: next)
            do {
                let answer = try await client.finish(lease: grant.lease, request)
                count(outcome)
                options.log(Self.line(grant, outcome))
                return answer.next
            } catch {
                switch error {
                case .unreachable(let message):
                    if backoff.attempts == 0 { options.log("coordinator unreachable while finishing trial \(grant.trial) (\(message)); retrying") }
                    if stopping && backoff.attempts >= 3 {
                        options.log("trial \(grant.trial): result not delivered (the coordinator stayed unreachable)")
                        return nil
                    }
                    try? await Task.sleep(for: .milliseconds(Int64(backoff.next() * 1000)))
                case .leaseNotHeld:
                    summary.dropped += 1
                    options.log("trial \(grant.trial) attempt \(grant.attempt): dropped (the coordinator no longer holds its lease)")
                    return nil
                default:
                    summary.failed += 1
                    options.log("trial \(grant.trial): the coordinator refused the result: \(error)")
                    return nil
                }
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

/// Reports of an attempt whose coordinator does not judge them: sent with the finish.
final class ReportBuffer: Sendable {
    private let reports = Mutex<[CoordinatorAPI.Report]>([])

    func append(_ report: CoordinatorAPI.Report) {
        reports.withLock { $0.append(report) }
    }

    func drain() -> [CoordinatorAPI.Report] {
        reports.withLock { reports in
            defer { reports.removeAll() }
            return reports
        }
    }
}

/// Exponential backoff with jitter: 0.1 s, 0.2 s, 0.4 s … up to `limit`.
struct Backoff {
    var limit: Double
    private(set) var attempts = 0

    init(limit: Double) {
        self.limit = limit
    }

    mutating func next() -> Double {
        defer { attempts += 1 }
        let base = min(limit, 0.1 * pow(2, Double(min(attempts, 16))))
        return base * Double.random(in: 0.75...1.25)
    }

    mutating func reset() {
        attempts = 0
    }
}
