import ForageCore
import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// Runs command trials as child processes with the metric protocol of DESIGN §5.
///
/// Each trial runs in its own session (so its whole process group can be signalled). When `supervisor` is set
/// (`forage-supervise`), the command is started through it: the supervisor kills the
/// trial's process group as soon as this process dies for any reason, `kill -9` included, so no trial outlives a
/// killed `forage`.
public struct CommandExecutor: TrialExecutor {
    /// The command put in front of each trial's command to supervise it, e.g. `["/usr/bin/forage-supervise"]`.
    public var supervisor: [String]?
    /// How often the watchdog checks for timeouts and stop requests.
    public var pollInterval: Duration = .milliseconds(20)

    public init(supervisor: [String]?) {
        self.supervisor = supervisor
    }

    public func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome {
        guard case .command(let template) = invocation.spec.kind else {
            return .failed(reason: .error, message: "not a command trial", metrics: [:])
        }
        do {
            try FileManager.default.createDirectory(at: invocation.directory, withIntermediateDirectories: true)
        } catch {
            return .failed(reason: .error, message: "cannot create the trial folder \(invocation.directory.path): \(error.localizedDescription)", metrics: [:])
        }
        let arguments = CommandLineTemplate.expand(
            template, params: invocation.params, declared: invocation.declaredParameters, shell: invocation.spec.isShellString)
        let command = (supervisor ?? []) + arguments
        let logs = TrialLogs(directory: invocation.directory)
        let control = ProcessControl()
        let started = ContinuousClock.now

        do {
            var options = PlatformOptions()
            options.createSession = true
            let result = try await Subprocess.run(
                command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0]),
                arguments: Arguments(Array(command.dropFirst())),
                environment: .inherit.updating(environment(for: invocation)),
                workingDirectory: FilePath(invocation.workingDirectory.path),
                platformOptions: options,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                control.started(pid: pid)
                // However the trial ends, nothing of its process group outlives its leader.
                defer { control.killGroupIfLeaderExited() }
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await watchdog(control: control, invocation: invocation, reporter: reporter, started: started)
                    }
                    group.addTask {
                        for try await line in execution.standardError.strings() { logs.stderr(line) }
                    }
                    var builder = OutcomeBuilder(objective: invocation.objective)
                    for try await line in execution.standardOutput.strings() {
                        guard let report = MetricLineParser.parse(line) else {
                            logs.stdout(line)
                            continue
                        }
                        builder.add(report)
                        if let step = report.step, !control.isStopping {
                            if await reporter.report(step: step, values: report.values) == .stop {
                                control.stop(.pruned, grace: invocation.spec.gracePeriod)
                            }
                        }
                    }
                    try await group.next()  // stderr drained (the watchdog ends when the process does)
                    control.exited()
                    group.cancelAll()
                    return builder
                }
            }
            logs.close()
            let builder = result.closureResult
            switch control.reason {
            case .pruned:
                return builder.pruned()
            case .timeout:
                return .failed(reason: .timeout, message: "exceeded its timeout of \(format(invocation.spec.timeout)) s and was stopped" + logs.tailSuffix, metrics: builder.metrics)
            case .cancelled:
                return .failed(reason: .interrupted, message: "stopped because the run was interrupted", metrics: builder.metrics)
            case nil:
                break
            }
            switch result.terminationStatus {
            case .exited(0):
                return builder.completed()
            case .exited(let code):
                return .failed(reason: .error, message: "exited with status \(code)" + logs.tailSuffix, metrics: builder.metrics)
            case .signaled(let signal) where supervisor != nil:
                // The supervisor reports its command's signal as 128 + N: a signal here killed the supervisor itself.
                return .failed(
                    reason: .error,
                    message: "its supervisor forage-supervise was killed by signal \(signal); Forage killed the trial's process group" + logs.tailSuffix,
                    metrics: builder.metrics)
            case .signaled(let signal):
                return .failed(reason: .error, message: "killed by signal \(signal)" + logs.tailSuffix, metrics: builder.metrics)
            }
        } catch {
            logs.close()
            control.exited()
            return .failed(reason: .error, message: "could not run \(arguments.first ?? "the command"): \(error)", metrics: [:])
        }
    }

    /// Stops the process group on timeout or when the engine cancels the trial.
    private func watchdog(control: ProcessControl, invocation: TrialInvocation, reporter: TrialReporter, started: ContinuousClock.Instant) async {
        let limit = invocation.spec.timeout.map { Duration.milliseconds(Int64($0 * 1000)) }
        while !control.hasExited {
            if reporter.cancellation.isCancelled || Task.isCancelled {
                control.stop(.cancelled, grace: invocation.spec.gracePeriod)
            } else if let limit, ContinuousClock.now - started > limit {
                control.stop(.timeout, grace: invocation.spec.gracePeriod)
            }
            control.escalateIfDue()
            control.killGroupIfLeaderExited()
            try? await Task.sleep(for: pollInterval)
        }
    }

    private func environment(for invocation: TrialInvocation) -> [Environment.Key: String?] {
        var env: [Environment.Key: String?] = [:]
        env["FORAGE_PARAMS"] = invocation.params.jsonString
        for (name, value) in invocation.params {
            env[Environment.Key(stringLiteral: "FORAGE_PARAM_\(name.uppercased())")] = value.description
        }
        env["FORAGE_TRIAL_ID"] = String(invocation.number)
        env["FORAGE_TRIAL_ATTEMPT"] = String(invocation.attempt)
        env["FORAGE_TRIAL_DIR"] = invocation.directory.path
        env["FORAGE_EXPERIMENT"] = invocation.experiment
        for (key, value) in invocation.spec.environment {
            env[Environment.Key(stringLiteral: key)] = value
        }
        return env
    }

    private func format(_ seconds: Double?) -> String {
        guard let seconds else { return "?" }
        return seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Substitutes `{name}` placeholders of declared parameters; every other brace stays as written (`CommandTemplate`).
public enum CommandLineTemplate {
    /// The command with its placeholders filled. With `shell`, `arguments` is `[sh, -c, SCRIPT]` and only the script's
    /// values are quoted for the shell; otherwise every argument gets its values as they are.
    public static func expand(_ arguments: [String], params: ParameterSet, declared: [String], shell: Bool = false) -> [String] {
        arguments.enumerated().map { position, argument in
            CommandTemplate.expand(argument, params: params, declared: declared, shell: shell && position == arguments.count - 1)
        }
    }
}
