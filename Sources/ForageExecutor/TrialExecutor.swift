import ForageCore
import Foundation
import Synchronization

/// Runs one trial somewhere (in this process, as a child process, on a remote worker) and says how it ended.
///
/// An executor never throws: whatever goes wrong becomes a `.failed` outcome with its reason, so the engine can
/// record it and go on.
public protocol TrialExecutor: Sendable {
    func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome
}

/// Everything an executor needs to run one attempt of a trial.
public struct TrialInvocation: Sendable {
    public var experiment: String
    public var number: Int
    public var attempt: Int
    public var params: ParameterSet
    public var spec: TrialSpec
    public var objective: Objective
    /// Names of every parameter the space declares (for `{name}` placeholders).
    public var declaredParameters: [String]
    /// The experiment's folder of trial folders (`<store>/trials/<experiment>/`).
    public var trialsDirectory: URL
    /// The trial's own folder (artifacts, logs); created by the executor when it needs one. Computed on demand:
    /// most in-process trials never need it, and building a URL costs a file-system check.
    public var directory: URL { trialsDirectory.appendingPathComponent(String(number), isDirectory: true) }
    /// The spec's folder: a command's working directory.
    public var workingDirectory: URL
    /// The folder that survives the attempt's interruption (`FORAGE_CHECKPOINT_DIR`): the engine hands a re-queued
    /// retry the same folder as the attempt it retries. Nil means `<trial folder>/checkpoint`.
    public var checkpointDirectory: URL?
    /// The local slot the attempt runs in (`FORAGE_SLOT`), when the engine hands out slots.
    public var slot: Int?
    /// The GPUs of that slot (`CUDA_VISIBLE_DEVICES`), when the spec has `resources: {gpus: …}`.
    public var gpus: [String]?
    /// `budget.time`'s end, when the search has one: a built-in model trial still training then ends its loop and
    /// completes with the model it has (metric `stopped_at_deadline` = 1); other trials run to their end.
    public var deadline: TrialDeadline?
    /// The folder a command trial's checkpoints go to.
    public var resolvedCheckpointDirectory: URL { checkpointDirectory ?? directory.appendingPathComponent("checkpoint", isDirectory: true) }

    public init(
        experiment: String, number: Int, attempt: Int, params: ParameterSet, spec: TrialSpec, objective: Objective,
        declaredParameters: [String], trialsDirectory: URL, workingDirectory: URL
    ) {
        self.experiment = experiment
        self.number = number
        self.attempt = attempt
        self.params = params
        self.spec = spec
        self.objective = objective
        self.declaredParameters = declaredParameters
        self.trialsDirectory = trialsDirectory
        self.workingDirectory = workingDirectory
    }
}

/// The channel through which a running trial reports intermediate metrics and learns whether to go on.
///
/// When the scheduler judges reports, each report is committed and judged before the trial hears back. When it
/// does not (`scheduler: none`), reports are handed to the store's commit queue and the trial goes on at once; the
/// trial's final commit waits for them, so nothing is reported done before it is durable.
public struct TrialReporter: Sendable {
    public typealias Submit = @Sendable (_ step: Int, _ values: [String: Double]) -> Void
    public typealias Judge = @Sendable (_ step: Int, _ values: [String: Double]) async -> SchedulerDecision.Action

    private let judges: Bool
    private let submit: Submit
    private let judge: Judge
    /// Set when the engine wants the trial to stop (Ctrl-C, budget timeout): executors check it between steps.
    public let cancellation: CancellationFlag

    public init(judges: Bool, cancellation: CancellationFlag = CancellationFlag(), submit: @escaping Submit, judge: @escaping Judge) {
        self.judges = judges
        self.cancellation = cancellation
        self.submit = submit
        self.judge = judge
    }

    /// A reporter that records nothing and never stops a trial (tests, `forage bench`).
    public static let discarding = TrialReporter(judges: false, submit: { _, _ in }, judge: { _, _ in .continue })

    /// Whether a report may wait for a commit and a decision (a scheduler judges reports).
    public var waitsForDecisions: Bool { judges }

    /// Reports from async code (command and remote trials).
    public func report(step: Int, values: [String: Double]) async -> SchedulerDecision.Action {
        if judges { return await judge(step, values) }
        submit(step, values)
        return .continue
    }

    /// Reports from a Dispatch thread (in-process trials). Blocks that thread, never the cooperative pool, while a
    /// scheduler's decision is committed and made.
    public func reportBlocking(step: Int, values: [String: Double]) -> SchedulerDecision.Action {
        guard judges else {
            submit(step, values)
            return .continue
        }
        let box = Mutex(SchedulerDecision.Action.continue)
        let done = DispatchSemaphore(value: 0)
        let judge = self.judge
        Task {
            let action = await judge(step, values)
            box.withLock { $0 = action }
            done.signal()
        }
        done.wait()
        return box.withLock { $0 }
    }
}

/// A thread-safe "please stop" flag shared between the engine and a running trial.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    public func cancel() {
        flag.store(true, ordering: .relaxed)
    }
}
