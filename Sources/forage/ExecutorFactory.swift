import ForageCore
import ForageExecutor
import ForageML
import ForageStore
import Foundation

/// Chooses the executor for a spec's trial kind, and prepares what it needs (the supervisor path).
enum ExecutorFactory {
    static func make(for spec: ExperimentSpec) throws -> (any TrialExecutor, DataInfo?) {
        switch spec.trial.kind {
        case .function:
            return (FunctionExecutor(), nil)
        case .command:
            return (CommandExecutor(supervisor: supervisor()), nil)
        case .model(let family):
            guard let dataSpec = spec.data else { throw CLIError("a model trial needs a `data:` section") }
            let data = try Dataset.load(dataSpec)
            let info = DataInfo(
                path: data.path, sha256: data.sha256, rows: data.rowCount, columns: data.columnCount, trainRows: data.train.count,
                validationRows: data.validation.count, testRows: data.test.count)
            return (ModelExecutor(data: data, family: family), info)
        }
    }

    /// The trial supervisor `forage-supervise`, built and installed beside `forage`. Without it, commands still run
    /// in their own process group, but would outlive a `forage` killed with SIGKILL: say so once.
    static func supervisor() -> [String]? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let sibling = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("forage-supervise").path
            if FileManager.default.isExecutableFile(atPath: sibling) { return [sibling] }
        }
        printNote("warning: forage-supervise is not beside the forage binary; trial processes may outlive a killed forage")
        return nil
    }
}
