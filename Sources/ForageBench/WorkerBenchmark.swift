import ForageCore
import ForageServer
import ForageCoordinator
import ForageBackends
import ForageEngine
import ForageExecutor
import ForageRemote
import ForageStore
import Foundation
import Logging

/// `forage bench workers`: `noop` trials per second through a coordinator and `forage worker` processes on loopback,
/// every trial committed to SQLite. The workers are real child processes of the `forage` binary, talking HTTP.
public enum WorkerBenchmark {
    /// One measured configuration: its worker processes, trials and throughput.
    public struct Row: Sendable {
        public var workers: Int
        public var slots: Int
        public var trials: Int
        public var seconds: Double
        public var trialsPerSecond: Double { Double(trials) / seconds }
    }

    public static func table(_ rows: [Row]) -> String {
        var lines = ["workers  slots each   trials   seconds   trials/s"]
        for row in rows {
            lines.append(String(format: "%7d  %10d  %7d  %8.2f  %9.0f", row.workers, row.slots, row.trials, row.seconds, row.trialsPerSecond))
        }
        return lines.joined(separator: "\n")
    }

    /// Runs `trials` noop trials for each `(workers, slots)` configuration; `forage` is the binary the workers run.
    /// `parse` turns the benchmark's spec text into a spec (the CLI's spec loader), as the workers will parse it too.
    public static func run(
        forage: URL, trials: Int, configurations: [(workers: Int, slots: Int)], parse: (_ text: String) throws -> ExperimentSpec,
        log: @Sendable (String) -> Void = { _ in }
    ) async throws -> [Row] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-bench-workers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StoreFactory.open(directory.path, access: .create).experiments
        let token = UUID().uuidString
        let tokenFile = directory.appendingPathComponent("token")
        try Data(token.utf8).write(to: tokenFile)
        var rows: [Row] = []
        for (index, configuration) in configurations.enumerated() {
            log("running \(trials) noop trials through \(configuration.workers) worker(s) × \(configuration.slots) slot(s)…")
            let text = """
                name: bench-workers-\(index)
                objective: {metric: value, direction: minimize}
                trial: {function: noop}
                search_space: {a: {type: float, low: 0, high: 1}}
                searcher: {algorithm: random, seed: 1}
                budget: {trials: \(trials), parallel: 0}
                """
            let spec = try parse(text)
            var options = RunOptions()
            options.remote = RemoteOptions()
            let engine = try await ExperimentRunner.start(
                spec: spec, specPath: nil, data: nil, store: store, executor: FunctionExecutor(), options: options)
            let document = CoordinatorAPI.SpecDocument(
                experiment: spec.name, spec: text, specSHA256: SHA256Hex.of(text), specFile: "bench-workers.yaml", specDirectory: ".")
            let started = LaunchRecord()
            var logger = Logger(label: "forage.bench")
            logger.logLevel = .error
            let summary = try await Coordinator.run(
                engine, spec: document, configuration: CoordinatorConfiguration(host: "127.0.0.1", port: 0, token: token), logger: logger
            ) { _, port in
                started.mark()
                for number in 0..<configuration.workers {
                    let process = Process()
                    process.executableURL = forage
                    process.arguments = [
                        "worker", "--coordinator", "http://127.0.0.1:\(port)", "--token-file", tokenFile.path, "--quiet",
                        "--parallel", String(configuration.slots), "--name", "bench-\(number)",
                    ]
                    process.standardOutput = FileHandle.nullDevice
                    try? process.run()
                    started.add(process)
                }
                // Should every worker die, stop the run instead of waiting for workers forever.
                Task {
                    while started.processes.contains(where: \.isRunning) { try? await Task.sleep(for: .milliseconds(100)) }
                    await engine.interrupt("every worker exited")
                }
            }
            let seconds = started.elapsed
            for worker in started.processes { worker.waitUntilExit() }
            guard summary.done == trials else { throw EngineError.configuration("the benchmark run finished \(summary.done) of \(trials) trials") }
            rows.append(Row(workers: configuration.workers, slots: configuration.slots, trials: trials, seconds: seconds))
        }
        return rows
    }
}

/// The moment the coordinator started listening, and the workers started then (set from its callback).
private final class LaunchRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var start: ContinuousClock.Instant?
    private var started: [Process] = []

    func mark() {
        lock.withLock { start = .now }
    }

    func add(_ process: Process) {
        lock.withLock { started.append(process) }
    }

    var processes: [Process] { lock.withLock { started } }

    var elapsed: Double {
        let elapsed = ContinuousClock.now - (lock.withLock { start } ?? .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
