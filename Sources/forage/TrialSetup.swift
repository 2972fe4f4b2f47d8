import ForageCore
import ForageExecutor
import ForageML
import ForageStore

/// The CLI's side of executor set-up: the store's record of the dataset, and a warning when the supervisor is missing.
enum TrialSetup {
    static func make(for spec: ExperimentSpec) throws -> (any TrialExecutor, DataInfo?) {
        let (executor, info, _) = try makeWithData(for: spec)
        return (executor, info)
    }

    /// As `make`, with the prepared dataset of a model trial (nil for functions and commands).
    static func makeWithData(for spec: ExperimentSpec) throws -> (any TrialExecutor, DataInfo?, PreparedData?) {
        var wrapper: [String]?
        if case .command = spec.trial.kind { wrapper = supervisor() }
        let (executor, data) = try ExecutorFactory.make(for: spec, supervisor: wrapper)
        let info = data.map { data in
            DataInfo(
                path: data.path, sha256: data.sha256, rows: data.rowCount, columns: data.columnCount, trainRows: data.train.count,
                validationRows: data.validation.count, testRows: data.test.count)
        }
        return (executor, info, data)
    }

    /// `forage-supervise` beside the `forage` binary. Without it, commands still run in their own process group, but
    /// would outlive a `forage` killed with SIGKILL: say so once.
    static func supervisor() -> [String]? {
        if let supervisor = ExecutorFactory.installedSupervisor() { return supervisor }
        printNote("warning: forage-supervise is not beside the forage binary; trial processes may outlive a killed forage")
        return nil
    }
}
