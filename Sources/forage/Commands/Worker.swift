import ArgumentParser
import ForageCore
import ForageExecutor
import ForageRemote
import Foundation

extension Forage {
    /// `forage worker --coordinator URL --token-file F`: runs a coordinator's trials on this machine.
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run trials for a coordinator (`forage run … --listen`): lease, run here, report, until the run is over.")

        @Option(help: "The coordinator's address, http://HOST:PORT.")
        var coordinator: String

        @Option(help: "File holding the coordinator's bearer token.")
        var tokenFile: String

        @Option(help: "Trials run at once on this machine (default 1, or as many as --gpus allows).")
        var parallel: Int?

        @Option(help: "This machine's GPUs for the trials, e.g. 0,1: each running trial gets its own in CUDA_VISIBLE_DEVICES.")
        var gpus: String?

        @Option(help: "GPUs per trial with --gpus: a whole number, or a fraction 1/k such as 0.5 (k trials share a GPU).")
        var gpusPerTrial: Double = 1

        @Option(help: "The name stored with each trial this worker runs (default: HOST-PID).")
        var name: String?

        @Option(help: "The folder standing for the coordinator's working folder: the spec's data files and scripts are looked up under it.")
        var directory = "."

        @Option(help: "Where trial folders (logs, artifacts) are written.")
        var workDir = ".forage-worker"

        @Flag(help: "Print only the summary, not one line per trial.")
        var quiet = false

        func validate() throws {
            if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
            _ = try resources()
            if let name, name.isEmpty || name.count > 200 { throw ValidationError("--name must have 1 to 200 characters") }
        }

        /// `--gpus` and `--gpus-per-trial`, checked.
        func resources() throws -> ResourceSpec? {
            guard let gpus else { return nil }
            let ids = gpus.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !ids.contains(where: \.isEmpty) else { throw ValidationError("--gpus must list GPU ids separated by commas, e.g. 0,1; got '\(gpus)'") }
            guard Set(ids).count == ids.count else { throw ValidationError("--gpus lists a GPU twice: '\(gpus)'") }
            if let problem = ResourceSpec.problem(gpusPerTrial: gpusPerTrial, count: ids.count) { throw ValidationError("--gpus-per-trial \(problem)") }
            return ResourceSpec(gpus: ids, gpusPerTrial: gpusPerTrial)
        }

        func run() async throws {
            try await reportingErrors {
                let resources = try resources()
                let token = try TokenFile.read(tokenFile)
                let quiet = self.quiet
                var options = WorkerOptions(
                    coordinator: coordinator, token: token, name: name ?? WorkerOptions.defaultName,
                    parallel: parallel ?? resources?.slots ?? 1,
                    directory: URL(fileURLWithPath: directory).standardized, workDirectory: URL(fileURLWithPath: workDir).standardized,
                    supervisor: ExecutorFactory.installedSupervisor(),
                    log: { line in if !quiet || !line.hasPrefix("trial ") { print(line) } })
                options.gpus = resources
                let worker = try ForageRemote.Worker(options: options)
                let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
                    signal(number, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: number)
                    source.setEventHandler { Task { await worker.stop() } }
                    source.resume()
                    return source
                }
                defer { signals.forEach { $0.cancel() } }
                let summary = try await worker.run()
                print(
                    "worker \(options.name) stopped (\(summary.reason)): \(summary.completed) completed, \(summary.pruned) pruned, \(summary.failed) failed, "
                        + "\(summary.dropped) dropped")
            }
        }
    }
}
