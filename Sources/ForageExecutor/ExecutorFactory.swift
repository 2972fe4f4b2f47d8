import ForageCore
import ForageML
import Foundation

/// Chooses the executor for a spec's trial kind and prepares what it needs (the dataset of a `model:` trial), for
/// the coordinator and for remote workers alike.
public enum ExecutorFactory {
    /// The executor for `spec`'s trials, and the prepared dataset when they are `model:` trials.
    ///
    /// `supervisor` is the command that wraps child processes (`forage-supervise`), or nil to run them directly.
    public static func make(for spec: ExperimentSpec, supervisor: [String]?) throws -> (any TrialExecutor, PreparedData?) {
        switch spec.trial.kind {
        case .function:
            return (FunctionExecutor(), nil)
        case .command:
            return (CommandExecutor(supervisor: supervisor), nil)
        case .external:
            return (ExternalTrialExecutor(), nil)
        case .model(let family):
            guard let dataSpec = spec.data else { throw ExecutorSetupError(description: "a model trial needs a `data:` section") }
            let data = try Dataset.load(dataSpec)
            var folds: CrossValidationFolds?
            if let count = ModelEvaluation.resolve(spec, data: data).folds { folds = try CrossValidationFolds(data: data, count: count) }
            return (ModelExecutor(data: data, family: family, treeThreads: spec.budget.parallel <= 1 ? 2 : 1, folds: folds), data)
        }
    }

    /// The trial supervisor `forage-supervise`, installed beside the running binary, or nil when it is missing.
    public static func installedSupervisor() -> [String]? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let sibling = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("forage-supervise").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? [sibling] : nil
    }
}

/// A spec that cannot be turned into an executor.
public struct ExecutorSetupError: Error, CustomStringConvertible {
    public var description: String
}

/// The executor of an external experiment's trials: none runs here (they are asked for and told about), so a call
/// is a failed outcome in words.
public struct ExternalTrialExecutor: TrialExecutor {
    public init() {}

    public func run(_ invocation: TrialInvocation, reporter: TrialReporter) async -> TrialOutcome {
        .failed(reason: .error, message: "experiment '\(invocation.experiment)' is external: its trials run through `forage ask` and `forage tell`", metrics: [:])
    }
}
