import ForageCore
import ForageExecutor
import ForageSpec
import ForageStore
import Foundation

/// An experiment as a worker runs it: the coordinator's spec parsed here, its executor (with the dataset of a
/// `model:` trial loaded once), and where its trials run and write.
struct WorkerExperiment: Sendable {
    var spec: ExperimentSpec
    var executor: any TrialExecutor
    var trialsDirectory: URL
    var workingDirectory: URL

    /// Parses the coordinator's spec with its relative paths resolved under `options.directory`.
    init(_ document: CoordinatorAPI.SpecDocument, options: WorkerOptions) throws {
        let base: URL
        if document.specDirectory.hasPrefix("/") {
            base = URL(fileURLWithPath: document.specDirectory, isDirectory: true)
        } else if document.specDirectory.isEmpty || document.specDirectory == "." {
            base = options.directory
        } else {
            base = options.directory.appendingPathComponent(document.specDirectory, isDirectory: true)
        }
        var spec = try SpecLoader.parse(document.spec, file: document.specFile, baseDirectory: base.path)
        spec.name = document.experiment
        self.spec = spec
        (executor, _) = try ExecutorFactory.make(for: spec, supervisor: options.supervisor)
        // The worker's trial folders follow the store layout, rooted at its work folder.
        trialsDirectory = try StoreLayout(root: options.workDirectory).trialsDirectory(experiment: document.experiment)
        workingDirectory = base
    }

    func invocation(for grant: CoordinatorAPI.Grant) -> TrialInvocation {
        TrialInvocation(
            experiment: grant.experiment, number: grant.trial, attempt: grant.attempt, params: grant.params, spec: spec.trial,
            objective: spec.objective, declaredParameters: spec.searchSpace.names, trialsDirectory: trialsDirectory,
            workingDirectory: workingDirectory)
    }
}

/// A worker that cannot run the coordinator's experiment (a data file or a command missing here): it hands its
/// lease back and stops, rather than failing every trial of the search.
struct WorkerSetupError: Error, CustomStringConvertible {
    var experiment: String
    var underlying: String

    var description: String { "this worker cannot run experiment \(experiment): \(underlying)" }
}
