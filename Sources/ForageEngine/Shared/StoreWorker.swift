import ForageCore
import ForageExecutor
import ForageSearch
import ForageStore
import Foundation
import Synchronization

/// The worker side of a search on a shared store: `slots` loops that claim queued trials straight from the
/// database, run them here and record their results, with no coordinator in between.
///
/// Each claim is a lease renewed every third of its length by the database's clock; a claim the driver has expired
/// (or that another process took over) stops its trial, and its result is refused by the store and dropped here.
/// When the scheduler judges reports, each report is committed and judged inside this worker, from the history in
/// the store; otherwise reports travel with the finish. Fast trials are claimed and finished in growing batches.
public actor StoreWorker {
    let store: any SharedTrialStore
    let experiment: ExperimentRecord
    let spec: ExperimentSpec
    let executor: any TrialExecutor
    let scheduler: any TrialScheduler
    let claim: ClaimIdentity
    let slots: Int
    let options: SharedRunOptions
    let trialsDirectory: URL
    let workingDirectory: URL
    let dataVersion: Int?
    let deadline: TrialDeadline?
    private var held: [Int: CancellationFlag] = [:]
    private var lost: Set<Int> = []
    private var stopping = false
    private var summary = StoreWorkerSummary()

    public init(
        store: any SharedTrialStore, experiment: ExperimentRecord, spec: ExperimentSpec, executor: any TrialExecutor, claim: ClaimIdentity,
        slots: Int, options: SharedRunOptions
    ) throws {
        self.store = store
        self.experiment = experiment
        self.spec = spec
        self.executor = executor
        self.claim = claim
        self.slots = slots
        self.options = options
        do {
            scheduler = try SchedulerRegistry.make(spec.scheduler, trialSteps: spec.trial.steps)
        } catch {
            throw EngineError.configuration("\(error)")
        }
        trialsDirectory = try store.layout.trialsDirectory(experiment: experiment.name)
        workingDirectory = URL(fileURLWithPath: spec.baseDirectory, isDirectory: true)
        dataVersion = experiment.data == nil ? nil : max(1, experiment.dataVersions.count)
        // budget.time's end, from the experiment's start: a model trial still training then completes at its next stop check.
        deadline = spec.budget.time.map { time in
            let left = (experiment.startedAt ?? experiment.createdAt).addingTimeInterval(time).timeIntervalSinceNow
            return TrialDeadline(ContinuousClock.now + .milliseconds(Int64(max(0, left) * 1000)))
        }
    }

    /// Runs the slots until the experiment is no longer running or `stop()` is called.
    public func run() async throws -> StoreWorkerSummary {
        let renewals = Task { try await self.renewClaims() }
        defer { renewals.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<max(1, slots) { group.addTask { try await self.slot(index) } }
            try await group.waitForAll()
        }
        return summary
    }

    /// Stops claiming; running trials are stopped and handed back (`interrupted`, re-queued).
    public func stop() {
        stopping = true
        for flag in held.values { flag.cancel() }
    }

    var isStopping: Bool { stopping }

    private func slot(_ index: Int) async throws {
        var batch = 1
        var idle = 0
        var claimed: [ClaimedTrial] = []
        let (store, id, claim, lease) = (self.store, experiment.id, self.claim, options.leaseSeconds)
        while !stopping {
            if claimed.isEmpty {
                claimed = try await store.claimTrials(experiment: id, claim: claim, max: batch, leaseSeconds: lease)
            }
            if claimed.isEmpty {
                idle += 1
                // An empty queue: the experiment may be over; ask now and then, not on every poll.
                if idle % 10 == 1, try await store.queueState(experiment: experiment.id).state != ExperimentState.running.rawValue { return }
                try? await Task.sleep(for: .milliseconds(idle < 50 ? 5 : 50))
                continue
            }
            idle = 0
            for trial in claimed where held[trial.number] == nil { held[trial.number] = CancellationFlag() }
            let started = ContinuousClock.now
            var finishes: [TrialFinish] = []
            var reports: [Int: [MetricReport]] = [:]
            var unstarted: [Int] = []
            for trial in claimed {
                if stopping {
                    unstarted.append(trial.number)
                    continue
                }
                let (finish, buffered) = await runAttempt(trial, slot: index)
                finishes.append(finish)
                if !buffered.isEmpty { reports[trial.number] = buffered }
            }
            let elapsed = ContinuousClock.now - started
            let each = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(claimed.count)
            let done = claimed
            batch = each < 0.002 ? min(32, batch * 2) : each > 0.02 ? 1 : batch
            // The next claim goes out while these results are recorded: a freed slot waits for one round trip, not two.
            let (stop, wanted) = (stopping, batch)
            async let next: [ClaimedTrial] = stop ? [] : store.claimTrials(experiment: id, claim: claim, max: wanted, leaseSeconds: lease)
            let recorded = try await store.finishClaimed(experiment: experiment.id, claim: claim, finishes, reports: reports)
            try await store.releaseClaims(experiment: experiment.id, claim: claim, trials: unstarted)
            for (finish, ok) in zip(finishes, recorded) { account(finish, recorded: ok) }
            for trial in done { held[trial.number] = nil }
            claimed = try await next
            for trial in claimed { held[trial.number] = CancellationFlag() }
        }
        // Claims taken while the last results were being recorded are handed back.
        if !claimed.isEmpty {
            try await store.releaseClaims(experiment: id, claim: claim, trials: claimed.map(\.number))
            for trial in claimed { held[trial.number] = nil }
        }
    }

    private func account(_ finish: TrialFinish, recorded: Bool) {
        lost.remove(finish.number)
        guard recorded else {
            summary.dropped += 1
            options.log("trial \(finish.number): its claim was no longer held (expired or taken over); the result was refused and dropped")
            return
        }
        switch finish.state {
        case .completed: summary.completed += 1
        case .pruned: summary.pruned += 1
        default: summary.failed += 1
        }
        let value = finish.value.map { " value=\(Self.number($0))" } ?? ""
        let reason = finish.reason.map { " (\($0.rawValue))" } ?? ""
        options.log("trial \(finish.number) \(finish.state.rawValue)\(value)\(reason)")
    }

    private static func number(_ value: Double) -> String {
        String(format: "%g", value)
    }

    /// Runs one claimed attempt; returns its finish and, when no scheduler judges reports, its buffered reports.
    private func runAttempt(_ trial: ClaimedTrial, slot: Int) async -> (TrialFinish, [MetricReport]) {
        let flag = held[trial.number] ?? CancellationFlag()
        var invocation = TrialInvocation(
            experiment: experiment.name, number: trial.number, attempt: trial.attempt, params: trial.params, spec: spec.trial,
            objective: spec.objective, declaredParameters: spec.searchSpace.names, trialsDirectory: trialsDirectory,
            workingDirectory: workingDirectory)
        invocation.checkpointDirectory = trialsDirectory.appendingPathComponent("checkpoints", isDirectory: true)
            .appendingPathComponent(String(trial.draw), isDirectory: true)
        invocation.slot = slot
        invocation.deadline = deadline
        let buffer = ReportBuffer()
        let store = self.store
        let id = experiment.id
        let claim = self.claim
        let metric = spec.objective.metric
        let reporter = TrialReporter(
            judges: scheduler.judgesReports, cancellation: flag,
            submit: { step, values in buffer.append(MetricReport(step: step, values: values)) },
            judge: { step, values in
                guard (try? await store.reportClaimed(experiment: id, claim: claim, trial: trial.number, step: step, values: values)) == true else {
                    flag.cancel()
                    return .stop
                }
                guard let value = values[metric] else { return .continue }
                return await self.judge(trial: trial.number, step: step, value: value)
            })
        let checked = OutcomeBuilder.checked(await executor.run(invocation, reporter: reporter), objective: spec.objective)
        let outcome = await TrialFileKeeper.keep(checked, store: self.store, experiment: experiment, number: trial.number)
        let job = TrialJob(number: trial.number, draw: trial.draw, params: trial.params, attempt: trial.attempt, retryOf: nil)
        return (SearchEngine.finishRecord(for: job, outcome: outcome, spec: spec), buffer.reports)
    }

    /// A scheduler decision on a committed report, from the history as the store has it now.
    private func judge(trial number: Int, step: Int, value: Double) async -> SchedulerDecision.Action {
        guard let point = try? await store.resumePoint(experiment, need: scheduler.historyNeed) else { return .continue }
        var history = point.history
        history.record(number: number, step: step, value: value)
        let decision = scheduler.decide(trial: number, step: step, value: value, history: history)
        if decision.isNotable { store.recordClaimedDecision(experiment: experiment.id, trial: number, decision: decision) }
        return decision.action
    }

    /// Renews every held claim each third of the lease; a claim no longer held stops its trial.
    private func renewClaims() async throws {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(options.leaseSeconds / 3 * 1000)))
            let numbers = held.keys.sorted()
            guard !numbers.isEmpty else { continue }
            guard let gone = try? await store.renewClaims(experiment: experiment.id, claim: claim, trials: numbers, leaseSeconds: options.leaseSeconds)
            else { continue }
            for number in gone where held[number] != nil && !lost.contains(number) {
                lost.insert(number)
                held[number]?.cancel()
                options.log("trial \(number): the claim was lost (the lease ended); stopping it")
            }
        }
    }
}

/// Reports a trial made while no scheduler judges them, kept until its finish.
final class ReportBuffer: Sendable {
    private let buffered = Mutex<[MetricReport]>([])

    func append(_ report: MetricReport) {
        buffered.withLock { $0.append(report) }
    }

    var reports: [MetricReport] { buffered.withLock { $0 } }
}

/// What a store worker did.
public struct StoreWorkerSummary: Sendable {
    public init() {}

    public var completed = 0
    public var pruned = 0
    public var failed = 0
    /// Results refused because the claim was no longer held.
    public var dropped = 0
}
