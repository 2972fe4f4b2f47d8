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
        for folder in [invocation.directory, invocation.resolvedCheckpointDirectory] {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                return .failed(reason: .error, message: "cannot create the trial folder \(folder.path): \(FileProblem.reason(error, path: folder.path))", metrics: [:])
            }
        }
        let arguments = CommandLineTemplate.expand(
            template, params: invocation.params, declared: invocation.declaredParameters, shell: invocation.spec.isShellString,
            flags: invocation.spec.argumentStyle == .flags)
        let command = (supervisor ?? []) + arguments
        let logs = TrialLogs(directory: invocation.directory)
        let control = ProcessControl()
        let channel = ControlChannel(directory: invocation.directory, answers: reporter.waitsForDecisions, grace: invocation.spec.gracePeriod)
        let metricReader = MetricReader(format: invocation.spec.metricFormat)
        let started = ContinuousClock.now

        do {
            var options = PlatformOptions()
            options.createSession = true
            let result = try await Subprocess.run(
                command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0]),
                arguments: Arguments(Array(command.dropFirst())),
                environment: .inherit.updating(environment(for: invocation, channel: channel)),
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
                        await watchdog(control: control, channel: channel, invocation: invocation, reporter: reporter, started: started)
                    }
                    group.addTask {
                        for try await line in execution.standardError.strings() { logs.stderr(line) }
                    }
                    var builder = OutcomeBuilder(objective: invocation.objective)
                    for try await line in execution.standardOutput.strings() {
                        guard let report = metricReader.parse(line) else {
                            logs.stdout(line)
                            continue
                        }
                        builder.add(report)
                        if let step = report.step, !control.isStopping {
                            if await reporter.report(step: step, values: report.values) == .stop {
                                // A script that reads the channel is told and gets the grace period to leave by itself.
                                control.stop(.pruned, grace: invocation.spec.gracePeriod, cooperative: channel.hasReader)
                                channel.stop(reason: "pruned", step: step)
                            } else {
                                channel.answer(step: step)
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
    private func watchdog(
        control: ProcessControl, channel: ControlChannel, invocation: TrialInvocation, reporter: TrialReporter, started: ContinuousClock.Instant
    ) async {
        let limit = invocation.spec.timeout.map { Duration.milliseconds(Int64($0 * 1000)) }
        while !control.hasExited {
            if !control.isStopping, reporter.cancellation.isCancelled || Task.isCancelled {
                channel.stop(reason: "interrupted", step: nil)
                control.stop(.cancelled, grace: invocation.spec.gracePeriod)
            } else if !control.isStopping, let limit, ContinuousClock.now - started > limit {
                channel.stop(reason: "timeout", step: nil)
                control.stop(.timeout, grace: invocation.spec.gracePeriod)
            }
            control.escalateIfDue()
            control.killGroupIfLeaderExited()
            try? await Task.sleep(for: pollInterval)
        }
    }

    private func environment(for invocation: TrialInvocation, channel: ControlChannel) -> [Environment.Key: String?] {
        var env: [Environment.Key: String?] = [:]
        env["FORAGE_PARAMS"] = invocation.params.jsonString
        for (name, value) in invocation.params {
            env[Environment.Key(stringLiteral: "FORAGE_PARAM_\(name.uppercased())")] = value.description
        }
        env["FORAGE_TRIAL_ID"] = String(invocation.number)
        env["FORAGE_TRIAL_ATTEMPT"] = String(invocation.attempt)
        env["FORAGE_TRIAL_DIR"] = invocation.directory.path
        env["FORAGE_EXPERIMENT"] = invocation.experiment
        env["FORAGE_CHECKPOINT_DIR"] = invocation.resolvedCheckpointDirectory.path
        if let slot = invocation.slot { env["FORAGE_SLOT"] = String(slot) }
        if let gpus = invocation.gpus { env["CUDA_VISIBLE_DEVICES"] = gpus.joined(separator: ",") }
        for (key, value) in channel.environment {
            env[Environment.Key(stringLiteral: key)] = value
        }
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

/// Builds a command trial's command line: `{name}` placeholders of declared parameters filled (every other brace
/// stays as written, `CommandTemplate`), words naming an inactive conditional parameter left out, and with
/// `trial.args: flags` a `--name=value` for every active parameter appended.
public enum CommandLineTemplate {
    /// The command with its placeholders filled. With `shell`, `arguments` is `[sh, -c, SCRIPT]` and only the script's
    /// values are quoted for the shell; otherwise every argument gets its values as they are.
    ///
    /// A declared parameter absent from `params` is inactive (its `when:` condition is false) and is never passed:
    /// an argument (or, in a shell script, a word) holding its placeholder is dropped, with the option name just
    /// before it when the argument is the bare placeholder (`--beta {beta}`).
    public static func expand(_ arguments: [String], params: ParameterSet, declared: [String], shell: Bool = false, flags: Bool = false) -> [String] {
        let inactive = Set(declared.filter { params[$0] == nil })
        var kept = inactive.isEmpty ? arguments : dropInactive(arguments, inactive: inactive, shell: shell)
        kept = kept.enumerated().map { position, argument in
            CommandTemplate.expand(argument, params: params, declared: declared, shell: shell && position == kept.count - 1)
        }
        guard flags else { return kept }
        let active = declared.filter { params[$0] != nil }
        let pairs = active.map { name in (name, params[name]?.description ?? "") }
        if shell, var script = kept.last {
            for (name, value) in pairs { script += " --\(name)=" + ShellWords.quote(value) }
            kept[kept.count - 1] = script
        } else {
            kept += pairs.map { "--\($0.0)=\($0.1)" }
        }
        return kept
    }

    static func dropInactive(_ arguments: [String], inactive: Set<String>, shell: Bool) -> [String] {
        if shell, let script = arguments.last {
            return Array(arguments.dropLast()) + [ShellWords.dropWords(naming: inactive, in: script)]
        }
        var kept: [String] = []
        for argument in arguments {
            let names = CommandTemplate.placeholders(in: argument).filter { !$0.afterDollar }.map(\.name)
            guard names.contains(where: inactive.contains) else {
                kept.append(argument)
                continue
            }
            let bare = CommandTemplate.placeholders(in: argument).first.map { argument[$0.range] == argument[...] } ?? false
            if bare, let previous = kept.last, ShellWords.isOptionName(previous) { kept.removeLast() }
        }
        return kept
    }
}

/// Word-level edits of a shell script: quoting a value, leaving out words that name inactive parameters.
enum ShellWords {
    /// `value` single-quoted for the shell.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// An option name without a value or placeholder (`--beta`, `-b`).
    static func isOptionName(_ word: String) -> Bool {
        word.hasPrefix("-") && word.count > 1 && !word.contains("=") && CommandTemplate.placeholders(in: word).isEmpty
    }

    /// `script` without the words holding a placeholder of an `inactive` parameter (and the option name before a
    /// word that is only that placeholder, quoted or not). Words are split at unquoted blanks.
    static func dropWords(naming inactive: Set<String>, in script: String) -> String {
        let words = split(script)
        var drop = Set<Int>()
        for (index, word) in words.enumerated() {
            let text = String(script[word])
            let names = CommandTemplate.placeholders(in: text).filter { !$0.afterDollar }.map(\.name)
            guard names.contains(where: inactive.contains) else { continue }
            drop.insert(index)
            let unquoted = text.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            let bare = CommandTemplate.placeholders(in: unquoted).first.map { unquoted[$0.range] == unquoted[...] } ?? false
            if bare, index > 0, isOptionName(String(script[words[index - 1]])) { drop.insert(index - 1) }
        }
        guard !drop.isEmpty else { return script }
        var result = ""
        var cursor = script.startIndex
        for (index, word) in words.enumerated() where drop.contains(index) {
            result += script[cursor..<word.lowerBound]
            cursor = word.upperBound
        }
        result += script[cursor...]
        return result
    }

    /// The ranges of the script's words: runs of characters between unquoted blanks (quotes and backslashes kept
    /// inside the word). Shell operators are not split off; a word such as `x;` stays one word.
    private enum Quoting { case unquoted, singleQuoted, doubleQuoted }

    static func split(_ script: String) -> [Range<String.Index>] {
        var words: [Range<String.Index>] = []
        var start: String.Index?
        var state = Quoting.unquoted
        var escaped = false
        var index = script.startIndex
        while index < script.endIndex {
            let character = script[index]
            let blank = state == .unquoted && !escaped && (character == " " || character == "\t" || character == "\n")
            if blank {
                if let begun = start { words.append(begun..<index) }
                start = nil
            } else if start == nil {
                start = index
            }
            if escaped {
                escaped = false
            } else {
                switch (state, character) {
                case (.unquoted, "\\"), (.doubleQuoted, "\\"): escaped = true
                case (.unquoted, "'"): state = .singleQuoted
                case (.singleQuoted, "'"): state = .unquoted
                case (.unquoted, "\""): state = .doubleQuoted
                case (.doubleQuoted, "\""): state = .unquoted
                default: break
                }
            }
            index = script.index(after: index)
        }
        if let begun = start { words.append(begun..<script.endIndex) }
        return words
    }
}
