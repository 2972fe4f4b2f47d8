import ForageCore
import ForageExecutor
import ForageSearch
import ForageStore
import Foundation

/// Runs one experiment to its budget: sample → run → report → decide → commit, with `parallel` trials at once.
///
/// The engine holds no state the store does not have: on start it rebuilds the trial history, the re-queued
/// attempts and the counters from the store, so a fresh run and a resume after `kill -9` are the same code path.
/// Every outcome is committed before the sampler, the scheduler or the user hears of it.
public actor SearchEngine {
    let spec: ExperimentSpec
    let experiment: ExperimentRecord
    let store: any ExperimentStore
    let executor: any TrialExecutor
    /// The ownership this run holds; every write names it, so a superseded run changes nothing.
    let lease: OwnerLease
    let options: RunOptions
    let sampler: any Sampler
    /// The other experiment's trials the sampler learns from (`warm_start:`), or nil.
    public nonisolated let warmStart: WarmStart?
    let scheduler: any TrialScheduler
    let budget: Int
    let parallel: Int
    /// How much history the sampler and scheduler need; with `.none` the engine keeps no per-trial state.
    let historyNeed: HistoryNeed
    /// The data version every trial of this run trains on (1-based), nil without data.
    nonisolated var dataVersion: Int? { experiment.data == nil ? nil : max(1, experiment.dataVersions.count) }

    var history: TrialHistory
    var retries: [PendingRetry] = []
    /// Queued parameter sets (`forage enqueue`, `enqueue:`) not yet started by this run, oldest first: they run
    /// before any sampled trial.
    var enqueued: [EnqueuedParameters] = []
    /// Every queued id this run has loaded, so a refresh during the run never queues one twice.
    var enqueuedSeen: Set<Int64> = []
    var nextNumber = 0
    var nextDraw = 0
    var done = 0
    var failedCount = 0
    var failuresThisRun = 0
    var doneThisRun = 0
    /// Attempts started and not yet committed (they count against the budget).
    var running = 0
    /// Attempts whose trial is still executing (they occupy a slot). A finished attempt frees its slot at once and
    /// waits for its commit off-slot, so a slot never idles through a commit and commits batch up.
    var executing = 0
    /// The run loop, waiting for a slot to free or an attempt to be recorded.
    var loopWakeup: CheckedContinuation<Void, Never>?
    var exhausted = false
    var stopReason: StopReason?
    /// The best completed trial so far, kept incrementally (the history's `best` is a scan).
    var best: (number: Int, value: Double)?
    var runningFlags: [Int: CancellationFlag] = [:]
    /// The GPUs local command trials share (`resources:`), or nil.
    let resources: ResourceSpec?
    /// The local slots running attempts hold (`FORAGE_SLOT`; with `resources`, their GPUs).
    var slotPool: SlotPool
    let started = ContinuousClock.now
    /// `budget.time`: no attempt starts at or after this instant; in-process model trials end their training at it.
    /// It starts at `budgetEnd` and moves earlier by the refit's estimate (`RunOptions.refitEstimate`) as trials complete.
    let deadline: TrialDeadline?
    /// `budget.time`'s end, counted from `RunOptions.timeOrigin`.
    public nonisolated let budgetEnd: ContinuousClock.Instant?
    /// Wall seconds of finished attempts not yet recorded, by trial number.
    var attemptSeconds: [Int: Double] = [:]
    /// Wall seconds of the best trial's attempt in this run (what the refit estimate scales).
    public private(set) var bestTrialSeconds: Double?
    /// `<store>/trials/<experiment>/`, computed once: building URLs with `appendingPathComponent` stats the disk.
    let trialsDirectory: URL
    /// The spec's folder, where commands run.
    let workingDirectory: URL
    /// Set when remote workers may lease trials (`forage run --listen`).
    let remote: RemoteOptions?
    var leases = LeaseBook()
    var workersSeen: Set<String> = []
    var workersTold: Set<String> = []
    /// The run has ended and its state is recorded: nothing more is leased.
    var closed = false

    enum StopReason: Sendable {
        case maxFailures(lastMessage: String)
        case interrupted(String)
        /// A store write failed (disk full, I/O error, the file replaced, ownership lost): the run stops at once.
        case storeFailure(any Error)
    }

    /// Prepares a run of `experiment` (already created or acquired under `lease`) from the store.
    public init(
        spec: ExperimentSpec, experiment: ExperimentRecord, store: any ExperimentStore, executor: any TrialExecutor,
        lease: OwnerLease, options: RunOptions, warmStart preloaded: WarmStart? = nil
    ) async throws {
        self.spec = spec
        self.experiment = experiment
        self.store = store
        self.executor = executor
        self.lease = lease
        self.options = options
        let (built, scheduler) = try Self.validate(spec, options: options)
        self.scheduler = scheduler
        if let warm = spec.warmStart {
            let loaded: WarmStart
            if let preloaded {
                loaded = preloaded
            } else {
                loaded = try await WarmStartLoader.load(warm, for: spec, from: options.warmStartStore ?? store)
            }
            warmStart = loaded
            sampler = WarmStartedSampler(base: built, warm: loaded)
        } else {
            warmStart = nil
            sampler = built
        }
        trialsDirectory = try store.layout.trialsDirectory(experiment: spec.name)
        workingDirectory = URL(fileURLWithPath: spec.baseDirectory, isDirectory: true)
        budget = options.trials ?? experiment.budgetTrials
        remote = options.remote
        let slots = options.parallel ?? spec.budget.parallel
        // Parallel trials are capped by what the GPUs allow.
        resources = spec.resources
        parallel = min(max(0, slots), spec.resources?.slots ?? Int.max)
        slotPool = SlotPool(limit: spec.resources?.slots)
        let end = spec.budget.time.map { (options.timeOrigin ?? ContinuousClock.now) + .milliseconds(Int64($0 * 1000)) }
        budgetEnd = end
        deadline = end.map { TrialDeadline($0) }

        historyNeed = max(sampler.historyNeed, scheduler.historyNeed)
        let point = try await store.resumePoint(experiment, need: historyNeed)
        history = point.history
        best = point.best
        nextNumber = point.nextNumber
        nextDraw = point.nextDraw
        done = point.done
        failedCount = point.failed
        retries = point.retries.map { PendingRetry(original: $0.number, draw: $0.draw, params: $0.params, attempt: $0.attempt) }
        takeEnqueued(try await store.pendingEnqueued(experiment))
    }

    /// Adds queued parameter sets this run has not seen (loaded at start, and again with each heartbeat, so
    /// `forage enqueue` during a run is picked up within seconds).
    func takeEnqueued(_ pending: [EnqueuedParameters]) {
        var added = false
        for entry in pending where !enqueuedSeen.contains(entry.id) {
            enqueuedSeen.insert(entry.id)
            enqueued.append(entry)
            added = true
        }
        if added { wakeLoop() }
    }

    /// The most local attempts that may have finished and still wait for their commit.
    static let maxAwaitingCommit = 4096

    /// Builds the sampler and scheduler and checks the slots: everything that can refuse a run before it starts.
    @discardableResult
    public static func validate(_ spec: ExperimentSpec, options: RunOptions) throws -> (any Sampler, any TrialScheduler) {
        let built: (any Sampler, any TrialScheduler)
        do {
            built = (
                try SamplerRegistry.make(spec.searcher, space: spec.searchSpace),
                try SchedulerRegistry.make(spec.scheduler, trialSteps: spec.trial.steps))
        } catch {
            throw EngineError.configuration("\(error)")
        }
        let slots = options.parallel ?? spec.budget.parallel
        if slots < 1 && options.remote == nil {
            throw EngineError.configuration(
                "budget.parallel is \(slots): with no local slots only remote workers run trials; start the run with --listen")
        }
        return built
    }

    /// Runs trials until the budget is spent, the grid is exhausted, `max_failures` is hit or `interrupt` is called.
    public func run() async throws -> RunSummary {
        try await store.updateBudget(lease, trials: budget, parallel: parallel)
        let heartbeat = Task { [store, lease, options] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(options.heartbeatInterval * 1000)))
                if Task.isCancelled { break }
                do {
                    try await store.heartbeat(lease)
                    self.takeEnqueued(try await store.pendingEnqueued(self.experiment))
                } catch {
                    self.storeFailed(error)
                    break
                }
            }
        }
        defer { heartbeat.cancel() }
        let timeout = spec.budget.timeout.map { seconds in
            Task {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                self.interrupt("budget.timeout of \(Int(seconds)) s reached")
            }
        }
        defer { timeout?.cancel() }
        // At the deadline the loop re-checks: nothing more starts, and a run waiting only for workers ends.
        let timeUp = deadline.map { deadline in
            Task {
                // The deadline can move while this sleeps: sleep again until it has really passed.
                while !deadline.hasPassed {
                    try await Task.sleep(until: deadline.current, clock: .continuous)
                }
                self.wakeLoop()
            }
        }
        defer { timeUp?.cancel() }
        let watchdog = remote.map { remote in
            Task {
                let period = Int64(min(1, remote.leaseTimeout / 4) * 1000)
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(period))
                    try await self.expireLeases()
                }
            }
        }
        defer { watchdog?.cancel() }

        try await withThrowingDiscardingTaskGroup { group in
            while true {
                while slotPool.hasFree, let job = nextJob(for: nil), let slot = slotPool.take() {
                    running += 1
                    executing += 1
                    let flag = CancellationFlag()
                    runningFlags[job.number] = flag
                    if historyNeed > .none { history.upsert(TrialSnapshot(number: job.number, state: .running, params: job.params)) }
                    group.addTask { await self.execute(job, flag: flag, slot: slot) }
                }
                guard running > 0 || waitsForWorkers else { break }
                await withCheckedContinuation { loopWakeup = $0 }
            }
        }
        return try await close()
    }

    /// Stops the run on a store error: nothing more starts, running trials are stopped, and the run ends with the
    /// error (it never waits for a commit that cannot happen).
    func storeFailed(_ error: any Error) {
        if case .storeFailure = stopReason {} else { stopReason = .storeFailure(error) }
        for flag in runningFlags.values { flag.cancel() }
        wakeLoop()
    }

    /// Asks the run to stop: no new trials start, running ones are stopped and re-queued for `resume`.
    public func interrupt(_ why: String) {
        if stopReason == nil { stopReason = .interrupted(why) }
        for flag in runningFlags.values { flag.cancel() }
        if !leases.held.isEmpty {
            Task { try await self.abandonLeases("the coordinator stopped: \(why)") }
        }
        wakeLoop()
    }

    /// Whether the run loop must keep waiting with nothing running: remote workers may still take trials.
    private var waitsForWorkers: Bool {
        remote != nil && overReason == nil
    }

    /// The next attempt to start, on a local slot (`worker` nil) or for a remote worker; nil when nothing may start now.
    func nextJob(for worker: String?) -> TrialJob? {
        guard stopReason == nil, worker != nil || executing < parallel, done + running < budget, !timeIsUp else { return nil }
        // Backpressure: finished attempts waiting for their commit are bounded, so trials never run far ahead of the
        // store and memory stays flat however long the search (group commit still batches up to this many).
        guard worker != nil || running - executing < Self.maxAwaitingCommit else { return nil }
        return TrialJob.propose(
            retries: &retries, enqueued: &enqueued, sampler: sampler, space: spec.searchSpace, history: history, nextNumber: &nextNumber,
            nextDraw: &nextDraw, exhausted: &exhausted, worker: worker)
    }

    /// Runs one attempt off the actor and commits its outcome; only then does the actor learn of it. A failed
    /// commit stops the run.
    private nonisolated func execute(_ job: TrialJob, flag: CancellationFlag, slot: Int) async {
        let lease = self.lease
        store.startTrial(
            lease,
            TrialStart(
                number: job.number, draw: job.draw, params: job.params, attempt: job.attempt, retryOf: job.retryOf, dataVersion: dataVersion, enqueued: job.enqueued))
        var invocation = TrialInvocation(
            experiment: spec.name, number: job.number, attempt: job.attempt, params: job.params, spec: spec.trial,
            objective: spec.objective, declaredParameters: spec.searchSpace.names,
            trialsDirectory: trialsDirectory,
            workingDirectory: workingDirectory)
        invocation.checkpointDirectory = checkpointDirectory(draw: job.draw)
        invocation.slot = slot
        invocation.gpus = resources?.devices(slot: slot)
        invocation.deadline = deadline
        let store = self.store
        let metric = spec.objective.metric
        let reporter = TrialReporter(
            judges: scheduler.judgesReports, cancellation: flag,
            submit: { step, values in store.submitReport(lease, trial: job.number, step: step, values: values) },
            judge: { step, values in
                do {
                    try await store.commitReport(lease, trial: job.number, step: step, values: values)
                } catch {
                    await self.storeFailed(error)
                    return .stop
                }
                guard let value = values[metric] else { return .continue }
                return await self.judge(trial: job.number, step: step, value: value)
            })
        let began = ContinuousClock.now
        let ran = await executor.run(invocation, reporter: reporter)
        let took = ContinuousClock.now - began
        let outcome = await TrialFileKeeper.keep(ran, store: store, experiment: experiment, number: job.number)
        await noteSeconds(job.number, Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18)
        // The process has ended: its slot (and GPUs) are free for the next attempt.
        await releaseSlot(slot)
        let finish = await freeSlot(for: job, outcome: outcome)
        do {
            try await store.finishTrial(lease, finish)
        } catch {
            await abandon(job, finish, error)
            return
        }
        await record(job, finish)
    }

    /// Whether `budget.time` has run out (less the refit's estimate).
    nonisolated var timeIsUp: Bool {
        deadline?.hasPassed ?? false
    }

    func noteSeconds(_ number: Int, _ seconds: Double) {
        attemptSeconds[number] = seconds
    }

    /// Moves the trials' deadline to the budget's end less the refit's estimate for the best trial so far.
    private func keepRefitTime() {
        guard let end = budgetEnd, let deadline, let estimate = options.refitEstimate, let seconds = bestTrialSeconds else { return }
        deadline.move(to: end - .milliseconds(Int64(max(0, estimate(seconds)) * 1000)))
    }

    func releaseSlot(_ slot: Int) {
        slotPool.release(slot)
    }

    /// The checkpoint folder of the trial drawn as sampler draw `draw`: `<trials>/checkpoints/<draw>/`. Every retry
    /// of a re-queued attempt keeps its draw (and its parameters), so it gets the folder its first attempt wrote,
    /// across `resume` too.
    nonisolated func checkpointDirectory(draw: Int) -> URL {
        trialsDirectory.appendingPathComponent("checkpoints", isDirectory: true).appendingPathComponent(String(draw), isDirectory: true)
    }

    /// An attempt whose outcome could not be committed: it leaves the run's counts (the store still has it as
    /// running, so `resume` re-queues it) and the run stops.
    func abandon(_ job: TrialJob, _ finish: TrialFinish, _ error: any Error) {
        running -= 1
        if job.worker == nil && !freesSlotEarly(finish) { executing -= 1 }
        runningFlags[job.number] = nil
        storeFailed(error)
    }

    /// A scheduler decision for a committed report; notable decisions are stored with their reasons.
    func judge(trial number: Int, step: Int, value: Double) -> SchedulerDecision.Action {
        history.record(number: number, step: step, value: value)
        let decision = scheduler.decide(trial: number, step: step, value: value, history: history)
        if decision.isNotable { store.recordDecision(lease, trial: number, decision: decision) }
        return decision.action
    }

    /// Returns the store row for an outcome and, when nothing about this result must be known before the next
    /// start, frees the attempt's slot at once. A learning sampler must see the result first, and a failure must be
    /// counted (`max_failures`, retries) first, so then the slot frees when the result is recorded.
    private func freeSlot(for job: TrialJob, outcome: TrialOutcome) -> TrialFinish {
        let finish = finishRecord(for: job, outcome: outcome)
        if freesSlotEarly(finish) {
            executing -= 1
            wakeLoop()
        }
        return finish
    }

    private func freesSlotEarly(_ finish: TrialFinish) -> Bool {
        !sampler.learnsFromHistory && finish.state != .failed
    }

    func wakeLoop() {
        loopWakeup?.resume()
        loopWakeup = nil
    }

    /// The store row for an outcome, deciding whether a failed attempt is re-queued.
    func finishRecord(for job: TrialJob, outcome: TrialOutcome) -> TrialFinish {
        Self.finishRecord(for: job, outcome: outcome, spec: spec)
    }

    /// The store row for an outcome under `spec`'s objective and retries (shared with store workers).
    static func finishRecord(for job: TrialJob, outcome: TrialOutcome, spec: ExperimentSpec) -> TrialFinish {
        let metrics = outcome.metrics
        switch GoalCheck.judge(outcome, goals: spec.goals) {
        case .completed:
            var finish = TrialFinish(number: job.number, attempt: job.attempt, state: .completed, value: metrics[spec.objective.metric], metrics: metrics)
            if spec.goals.isMultiObjective { finish.values = spec.goals.values(in: metrics) }
            finish.violation = spec.goals.violation(in: metrics)
            return finish
        case .pruned:
            return TrialFinish(number: job.number, attempt: job.attempt, state: .pruned, value: metrics[spec.objective.metric], metrics: metrics)
        case .failed(let reason, let message, _):
            let requeue = reason.alwaysRequeued || job.attempt <= spec.budget.retries
            return TrialFinish(
                number: job.number, attempt: job.attempt, state: .failed, value: nil, metrics: metrics, reason: reason, message: message,
                requeued: requeue)
        }
    }

    /// Updates the in-memory mirror of the store after a commit and reports progress.
    func record(_ job: TrialJob, _ finish: TrialFinish) {
        running -= 1
        if job.worker == nil && !freesSlotEarly(finish) { executing -= 1 }
        runningFlags[job.number] = nil
        defer { wakeLoop() }
        if historyNeed > .none {
            history.finish(
                number: job.number, state: finish.state, value: finish.state == .failed ? nil : finish.value, values: finish.values,
                violation: finish.violation)
        }
        if finish.requeued {
            retries.append(PendingRetry(original: job.number, draw: job.draw, params: job.params, attempt: job.attempt))
        } else {
            done += 1
            doneThisRun += 1
        }
        if finish.state == .failed {
            if !finish.requeued { failedCount += 1 }
            // Interrupted and lost-worker attempts are not the trial's fault: they never count towards max_failures.
            if finish.reason?.alwaysRequeued != true {
                failuresThisRun += 1
                // Trials still running when the limit is hit may fail after it: the message names the latest.
                let hit: Bool
                switch stopReason {
                case nil: hit = spec.budget.maxFailures.map { failuresThisRun >= $0 } ?? false
                case .maxFailures?: hit = true
                case .interrupted?, .storeFailure?: hit = false
                }
                if hit {
                    let message = FailureSummary.oneLine(finish.message ?? "")
                    stopReason = .maxFailures(lastMessage: "trial \(job.number): \(finish.reason?.rawValue ?? "error")" + (message.isEmpty ? "" : ": \(message)"))
                }
            }
        }
        // Ties go to the lower trial number, as in the store's leaderboard.
        if finish.state == .completed, let value = finish.value, value.isFinite, (finish.violation ?? 0) <= 0,
            best.map({ spec.objective.direction.isBetter(value, than: $0.value) || (value == $0.value && job.number < $0.number) }) ?? true
        {
            best = (job.number, value)
            bestTrialSeconds = attemptSeconds[job.number]
            keepRefitTime()
        }
        attemptSeconds[job.number] = nil
        options.progress?(
            ProgressEvent(
                experiment: spec.name, trial: job.number, state: finish.state, value: finish.value, reason: finish.reason,
                message: finish.message, params: job.params, done: done, total: budget, running: running, failed: failedCount,
                best: best?.value, bestTrial: best?.number, elapsed: elapsedSeconds, doneThisRun: doneThisRun))
    }

    /// `90` → "90 s", `0.5` → "0.5 s".
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Records how the run ended and releases the experiment.
    private func close() async throws -> RunSummary {
        var state: ExperimentState
        var message: String?
        var isError = false
        switch stopReason {
        case .maxFailures(let last):
            state = .failed
            isError = true
            message = "stopped after \(failuresThisRun) failed trial\(failuresThisRun == 1 ? "" : "s") (budget.max_failures: \(spec.budget.maxFailures ?? 0)); last failure: \(last)"
        case .interrupted(let why):
            state = .interrupted
            message = "\(why); `forage resume \(spec.name)` continues it"
        case .storeFailure(let error):
            // Best effort: the store may refuse this too. The run reports the error, never `finished`.
            try? await store.close(lease, state: .interrupted, message: "stopped on a store error: \(error)")
            closed = true
            throw EngineError.store(error, location: store.location)
        case nil:
            if done >= budget {
                state = .finished
            } else if exhausted {
                state = .finished
                message = "the searcher has no more points (grid exhausted) after \(done) of \(budget) trials"
            } else if timeIsUp, let time = spec.budget.time {
                state = .finished
                message = "budget.time of \(Self.seconds(time)) reached after \(done) trial\(done == 1 ? "" : "s")"
            } else {
                state = .interrupted
                message = "stopped with \(done) of \(budget) trials"
            }
        }
        // A run whose every trial failed is an error, so `forage run … && forage promote …` stops.
        if state == .finished, best == nil, failedCount > 0 {
            state = .failed
            isError = true
            message = FailureSummary(failed: try await store.allTrials(experiment, state: .failed).collect(), finalTrials: done).message
        }
        do {
            try await store.close(lease, state: state, message: message)
        } catch {
            closed = true
            throw EngineError.store(error, location: store.location)
        }
        closed = true
        return RunSummary(
            experiment: spec.name, state: state.rawValue, message: message, done: done, total: budget, failed: failedCount,
            bestTrial: best?.number, best: best?.value, elapsed: elapsedSeconds, isError: isError)
    }
}

/// Errors that stop a run before it starts.
public enum EngineError: Error, CustomStringConvertible {
    case configuration(String)
    /// A store write failed during the run; running trials were stopped and nothing was reported done that did
    /// not commit. `resume` continues once the cause is fixed.
    case store(any Error, location: String)
    /// The data file changed since the experiment recorded it, and the resume did not allow it.
    case dataChanged(experiment: String, recorded: DataInfo?, now: DataInfo)

    public var description: String {
        switch self {
        case .configuration(let message): return message
        case .dataChanged(let experiment, let recorded, let now):
            let was = recorded.map { "sha256 \($0.sha256.prefix(12))…, \($0.rows) rows" } ?? "no data"
            return "the data file \(now.path) changed since experiment '\(experiment)' recorded it (\(was); now sha256 "
                + "\(now.sha256.prefix(12))…, \(now.rows) rows): new trials would train on other data than its lineage says. "
                + "Restore the file, or pass --allow-data-change to record the new data version (both stay in status and lineage)"
        case .store(let error, let location):
            var cause = "\(error)"
            if let store = error as? StoreError {
                switch store {
                case .lostOwnership: return store.description
                case .database(let message): cause = message
                default: break
                }
            }
            return "the run stopped because the store at \(location) failed: \(cause); "
                + "trials it was running were stopped, and `forage resume` continues once the cause is fixed"
        }
    }
}
