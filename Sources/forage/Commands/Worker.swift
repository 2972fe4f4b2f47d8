import ArgumentParser
import ForageBackends
import ForageCore
import ForageEngine
import ForageStore
import ForageExecutor
import ForageRemote
import Foundation

extension Forage {
    /// `forage worker --coordinator URL --token-file F`: runs a coordinator's trials on this machine.
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run trials for a coordinator (`forage run … --listen`), or claim them from a shared PostgreSQL store (`--store`), until the run is over.")

        @Option(help: "The coordinator's address, http://HOST:PORT.")
        var coordinator: String?

        @Option(help: "File holding the coordinator's bearer token.")
        var tokenFile: String?

        @Option(help: "A PEM file of the CA that signed an https:// coordinator's certificate (default: the system's roots).")
        var caFile: String?

        @Option(help: "A shared PostgreSQL store (postgres://USER@HOST:PORT/DB): claim queued trials from it, no coordinator needed (default: $FORAGE_STORE when it is a URL and --coordinator is not given).")
        var store: String?

        @Option(help: "With --store: the experiment to work on (default: every shared experiment that runs, oldest first).")
        var experiment: String?

        @Option(help: "With --store: seconds to wait for a shared experiment to appear before giving up.")
        var wait: Double = 600

        @Option(help: "With --store: seconds a claim lives without a renewal, by the database clock (default: the experiment's, as its run set it).")
        var leaseTimeout: Double?

        @Option(help: "Trials run at once on this machine (default 1, or as many as --gpus allows).")
        var parallel: Int?

        @Option(help: "This machine's GPUs for the trials, e.g. 0,1: each running trial gets its own in CUDA_VISIBLE_DEVICES.")
        var gpus: String?

        @Option(help: "GPUs per trial with --gpus: a whole number, or a fraction 1/k such as 0.5 (k trials share a GPU).")
        var gpusPerTrial: Double = 1

        @Option(help: "The name stored with each trial this worker runs (default: HOST-PID).")
        var name: String?

        @Option(help: "The folder standing for the coordinator's working folder: the spec's data files and scripts are looked up under it (default: the current folder; with --store, the folder of the spec the experiment was created from).")
        var directory: String?

        @Option(help: "Where trial folders (logs, artifacts) are written.")
        var workDir = ".forage-worker"

        @Flag(help: "Print only the summary, not one line per trial.")
        var quiet = false

        /// The shared store to claim from, when this is a store worker.
        var storeLocation: String? {
            if let store { return store }
            guard coordinator == nil, let environment = ProcessInfo.processInfo.environment["FORAGE_STORE"], StoreFactory.isServer(environment) else { return nil }
            return environment
        }

        func validate() throws {
            if coordinator != nil && store != nil { throw ValidationError("give either --coordinator (an HTTP coordinator) or --store (a shared PostgreSQL store), not both") }
            if coordinator == nil && storeLocation == nil {
                throw ValidationError("forage worker needs --coordinator http://HOST:PORT (with --token-file) or --store postgres://USER@HOST:PORT/DB")
            }
            if coordinator != nil && tokenFile == nil { throw ValidationError("--coordinator needs --token-file (the coordinator's bearer token)") }
            if let leaseTimeout, !(leaseTimeout >= 0.5 && leaseTimeout.isFinite) { throw ValidationError("--lease-timeout must be at least 0.5 seconds") }
            if !(wait >= 0 && wait.isFinite) { throw ValidationError("--wait must be a non-negative number of seconds") }
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

        /// Prints a worker's line at once, also when stdout is a file (a Slurm task's output, a pod's log); with
        /// `--quiet`, only lines that are not about one trial.
        static func say(_ line: String, quiet: Bool) {
            guard !quiet || !line.hasPrefix("trial ") else { return }
            print(line)
            fflush(nil)
        }

        func run() async throws {
            if let location = storeLocation {
                try await reportingErrors { try await runOnStore(location) }
                return
            }
            try await reportingErrors {
                guard let coordinator, let tokenFile else { throw CLIError("--coordinator and --token-file are required") }
                let resources = try resources()
                let token = try TokenFile.read(tokenFile)
                let quiet = self.quiet
                var options = WorkerOptions(
                    coordinator: coordinator, token: token, name: name ?? WorkerOptions.defaultName,
                    parallel: parallel ?? resources?.slots ?? 1,
                    directory: URL(fileURLWithPath: directory ?? ".").standardized, workDirectory: URL(fileURLWithPath: workDir).standardized,
                    supervisor: ExecutorFactory.installedSupervisor(),
                    log: { line in Self.say(line, quiet: quiet) })
                options.gpus = resources
                options.caFile = caFile
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

        /// `--store`: claims trials of shared experiments from the database, and stands for the driver's role.
        private func runOnStore(_ location: String) async throws {
            if gpus != nil { throw CLIError("--gpus is not supported with --store yet; use a coordinator (`forage run --listen`) for GPU slots") }
            let deadline = Date().addingTimeInterval(wait)
            // A worker may start before the run that creates the store (a job array and a driver submitted together).
            var opened: OpenStore?
            while opened == nil {
                do {
                    opened = try await StoreFactory.connect(location, access: .write)
                } catch StoreError.noStore where Date() < deadline {
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            guard let opened else { return }
            let store = try SharedSearch.shared(opened, "forage worker --store")
            let name = self.name ?? WorkerOptions.defaultName
            let quiet = self.quiet
            var total = StoreWorkerSummary()
            var worked: Set<String> = []
            print("worker \(name): \(parallel ?? 1) slot(s), store \(store.location)")
            while true {
                let candidates = try await store.sharedExperiments().filter { experiment == nil || $0.name == experiment }
                guard let record = candidates.first(where: { !worked.contains($0.name) }) else {
                    if let experiment, let existing = try await store.experiment(named: experiment), worked.isEmpty {
                        let state = try await store.queueState(experiment: existing.id).state
                        if state != ExperimentState.running.rawValue {
                            throw CLIError("experiment '\(experiment)' is \(state), not running: there is nothing to claim")
                        }
                    }
                    if !worked.isEmpty || Date() > deadline { break }
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
                worked.insert(record.name)
                let (spec, executor) = try SharedSearch.prepare(record, directory: directory)
                var options = SharedRunOptions()
                let recordedLease = try await store.queueState(experiment: record.id).claimLease
                options.leaseSeconds = leaseTimeout ?? recordedLease ?? 30
                options.log = { line in Self.say(line, quiet: quiet) }
                print("worker \(name): working on experiment '\(record.name)'")
                let summary = try await SharedSearch.participate(
                    store: store, record: record, spec: spec, executor: executor, slots: parallel ?? 1, name: name, options: options)
                total.completed += summary.worker.completed
                total.pruned += summary.worker.pruned
                total.failed += summary.worker.failed
                total.dropped += summary.worker.dropped
                if summary.state == ExperimentState.running.rawValue { break }  // this process was stopped
            }
            if worked.isEmpty { throw CLIError("no shared experiment\(experiment.map { " named '\($0)'" } ?? "") ran in the store within \(Int(wait)) s") }
            print(
                "worker \(name) stopped: \(total.completed) completed, \(total.pruned) pruned, \(total.failed) failed, \(total.dropped) dropped")
        }
    }
}
