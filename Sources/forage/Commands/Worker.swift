import ArgumentParser
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

        @Option(help: "Trials run at once on this machine.")
        var parallel = 1

        @Option(help: "The name stored with each trial this worker runs (default: HOST-PID).")
        var name: String?

        @Option(help: "The folder standing for the coordinator's working folder: the spec's data files and scripts are looked up under it.")
        var directory = "."

        @Option(help: "Where trial folders (logs, artifacts) are written.")
        var workDir = ".forage-worker"

        @Flag(help: "Print only the summary, not one line per trial.")
        var quiet = false

        func validate() throws {
            guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
            if let name, name.isEmpty || name.count > 200 { throw ValidationError("--name must have 1 to 200 characters") }
        }

        func run() async throws {
            try await reportingErrors {
                let token = try TokenFile.read(tokenFile)
                let quiet = self.quiet
                let options = WorkerOptions(
                    coordinator: coordinator, token: token, name: name ?? WorkerOptions.defaultName, parallel: parallel,
                    directory: URL(fileURLWithPath: directory).standardized, workDirectory: URL(fileURLWithPath: workDir).standardized,
                    supervisor: ExecutorFactory.installedSupervisor(),
                    log: { line in if !quiet || !line.hasPrefix("trial ") { print(line) } })
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
