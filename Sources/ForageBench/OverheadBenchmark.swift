import ForageCore
import ForageServer
import ForageEngine
import ForageBackends
import ForageExecutor
import ForageStore
import Foundation

/// `forage bench overhead`: the engine's own cost per trial, with every trial durably committed to SQLite.
///
/// Runs the `noop` function (negligible work) through the real engine and store, so the figures are the
/// orchestration overhead: sampling, dispatch, commit, bookkeeping.
public enum OverheadBenchmark {
    /// One measured configuration: its trials, slots, wall and CPU time.
    public struct Row: Sendable {
        public var label: String
        public var trials: Int
        public var seconds: Double
        /// Process CPU time (user + system) spent on the run: less sensitive to a busy machine than wall time.
        public var cpuSeconds: Double
        public var trialsPerSecond: Double { Double(trials) / seconds }
        public var cpuMicrosecondsPerTrial: Double { cpuSeconds / Double(trials) * 1e6 }
    }

    /// Every row of one benchmark run, with the machine it ran on.
    public struct Result: Sendable {
        public var rows: [Row]
        public var leaderboardTrials: Int
        public var leaderboardMilliseconds: Double
        public var storeDirectory: String

        public func table() -> String {
            var lines = ["configuration                                 trials   seconds   trials/s   CPU µs/trial"]
            for row in rows {
                lines.append(
                    row.label.padding(toLength: 44, withPad: " ", startingAt: 0)
                        + String(format: "%8d  %8.2f  %9.0f  %13.0f", row.trials, row.seconds, row.trialsPerSecond, row.cpuMicrosecondsPerTrial))
            }
            lines.append(String(format: "leaderboard --top 10 on %d trials: %.2f ms (median of 21 queries)", leaderboardTrials, leaderboardMilliseconds))
            return lines.joined(separator: "\n")
        }
    }

    /// Runs the benchmark in a temporary store; `scale` multiplies the trial counts (1 = the published sizes).
    public static func run(scale: Double = 1, leaderboardTrials: Int = 100_000, log: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StoreFactory.open(directory.path, access: .create).experiments
        let n = { (count: Int) in max(10, Int(Double(count) * scale)) }
        var rows: [Row] = []
        for (label, trials, parallel, steps) in [
            ("noop, 1 slot", n(20_000), 1, 0), ("noop, 2 slots", n(20_000), 2, 0),
            ("noop, 2 slots, 50 reports per trial", n(5_000), 2, 50),
        ] {
            log("running \(label) × \(trials)…")
            let cpuBefore = processCPUSeconds()
            let seconds = try await timeRun(store: store, name: "bench-\(rows.count)", trials: trials, parallel: parallel, steps: steps)
            rows.append(Row(label: label, trials: trials, seconds: seconds, cpuSeconds: processCPUSeconds() - cpuBefore))
        }
        log("filling a store with \(leaderboardTrials) trials for the leaderboard query…")
        _ = try await timeRun(store: store, name: "bench-leaderboard", trials: leaderboardTrials, parallel: 2, steps: 0)
        let experiment = try await store.requireExperiment("bench-leaderboard")
        var times: [Double] = []
        for _ in 0..<21 {
            let start = ContinuousClock.now
            _ = try await store.leaderboard(experiment, top: 10)
            times.append(milliseconds(ContinuousClock.now - start))
        }
        times.sort()
        return Result(rows: rows, leaderboardTrials: leaderboardTrials, leaderboardMilliseconds: times[times.count / 2], storeDirectory: directory.path)
    }

    static func timeRun(store: any ExperimentStore, name: String, trials: Int, parallel: Int, steps: Int) async throws -> Double {
        let space = SearchSpace([
            Parameter(name: "a", distribution: .float(low: 0, high: 1, log: false, step: nil)),
            Parameter(name: "b", distribution: .int(low: 0, high: 100, log: false, step: 1)),
        ])
        let spec = ExperimentSpec(
            name: name, objective: Objective(metric: "value", direction: .minimize),
            trial: TrialSpec(kind: .function(name: "noop"), steps: steps > 0 ? steps : nil), searchSpace: space,
            searcher: SearcherSpec(algorithm: "random", seed: 1), budget: Budget(trials: trials, parallel: parallel), source: "benchmark \(name)")
        let engine = try await ExperimentRunner.start(
            spec: spec, specPath: nil, data: nil, store: store, executor: FunctionExecutor(), options: RunOptions())
        let start = ContinuousClock.now
        let summary = try await engine.run()
        let seconds = milliseconds(ContinuousClock.now - start) / 1000
        guard summary.done == trials else { throw EngineError.configuration("benchmark run finished \(summary.done) of \(trials) trials") }
        return seconds
    }

    /// User plus system CPU time of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
    }
}
