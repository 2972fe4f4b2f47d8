import ForageCore
import ForageExecutor
import ForageStore
import Foundation

/// Chooses the executor for a spec's trial kind, and prepares what it needs (the supervisor path).
enum ExecutorFactory {
    static func make(for spec: ExperimentSpec) throws -> (any TrialExecutor, DataInfo?) {
        switch spec.trial.kind {
        case .function:
            return (FunctionExecutor(), nil)
        case .command:
            return (CommandExecutor(supervisor: currentExecutable()), nil)
        case .model(let family):
            throw CLIError("model trials (model: \(family)) need the built-in trainers, which this build of forage does not include yet")
        }
    }

    /// The running `forage` binary, which doubles as the trial supervisor.
    static func currentExecutable() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return path
    }
}
