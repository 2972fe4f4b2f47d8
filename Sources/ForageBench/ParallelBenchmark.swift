import ForageCore
import ForageServer
import ForageEngine
import ForageBackends
import ForageExecutor
import ForageStore
import Foundation

/// What running trials side by side costs each trial: the same search run with `parallel: 1` and `parallel: 2`,
/// alternately, in a temporary store. The searcher is replaced by `random` with the spec's seed, so both runs train
/// exactly the same trials (parameters depend only on the seed and the trial number) and their durations can be
/// compared trial by trial. `forage bench trainers` runs it on `Experiments/digits-mlp.yaml`.
public enum ParallelBenchmark {
    /// One run of the search.
    public struct Run: Sendable {
        public var parallel: Int
        /// Trial durations as the store records them, by trial number.
        public var durations: [Int: Double]
        /// Wall time of the whole run.
        public var seconds: Double
        /// Process CPU time (user + system) of the run: the engine's and every trial's.
        public var cpuSeconds: Double

        /// Mean trial duration.
        public var meanTrialSeconds: Double { durations.values.reduce(0, +) / Double(max(durations.count, 1)) }
        /// Process CPU seconds per trial.
        public var cpuSecondsPerTrial: Double { cpuSeconds / Double(max(durations.count, 1)) }
    }

    /// Every run, in the order they ran (1, 2, 1, 2, …).
    public struct Result: Sendable {
        public var spec: String
        public var trials: Int
        public var runs: [Run]
        /// The 1-minute load average before the first run and after the last: other processes competing for the
        /// cores slow 2 slots more than 1, so read the wall-time slowdown with it.
        public var loadBefore: Double
        public var loadAfter: Double

        /// Per repeat, the mean trial duration on 2 slots over the same trials' mean on 1 slot, minus 1.
        public var slowdowns: [Double] {
            pairs.map { one, two in
                let common = Set(one.durations.keys).intersection(two.durations.keys)
                let sumOne = common.reduce(0) { $0 + (one.durations[$1] ?? 0) }
                let sumTwo = common.reduce(0) { $0 + (two.durations[$1] ?? 0) }
                return sumTwo / max(sumOne, 1e-12) - 1
            }
        }

        /// Per repeat, process CPU time per trial on 2 slots over 1 slot, minus 1 (what contention inside the process
        /// costs, whatever else the machine runs).
        public var cpuSlowdowns: [Double] {
            pairs.map { one, two in two.cpuSecondsPerTrial / max(one.cpuSecondsPerTrial, 1e-12) - 1 }
        }

        /// Per repeat, wall time on 1 slot over wall time on 2 slots.
        public var speedups: [Double] { pairs.map { one, two in one.seconds / max(two.seconds, 1e-12) } }

        var pairs: [(Run, Run)] {
            let ones = runs.filter { $0.parallel == 1 }
            let twos = runs.filter { $0.parallel == 2 }
            return Array(zip(ones, twos))
        }

        public func table() -> String {
            var lines = [
                "parallel slots: \(spec), \(trials) trials (random searcher), each run \(pairs.count)× alternately; "
                    + String(format: "load average %.2f before, %.2f after", loadBefore, loadAfter)
            ]
            lines.append("slots   mean trial s   CPU s/trial   run s")
            for run in runs {
                lines.append(
                    String(format: "%5d   %12.3f   %11.3f   %5.1f", run.parallel, run.meanTrialSeconds, run.cpuSecondsPerTrial, run.seconds)
                )
            }
            let percent = { (values: [Double]) in values.map { String(format: "%+.0f%%", $0 * 100) }.joined(separator: ", ") }
            lines.append(
                String(
                    format: "per-trial slowdown on 2 slots: median %+.0f%% (%@); "
                        + "CPU per trial: median %+.0f%% (%@); run speedup: median %.2f×",
                    median(slowdowns) * 100, percent(slowdowns), median(cpuSlowdowns) * 100, percent(cpuSlowdowns), median(speedups)))
            return lines.joined(separator: "\n")
        }
    }

    /// Runs `spec` with `trials` trials, `repeats` times on 1 slot and on 2, alternately.
    public static func run(
        spec: ExperimentSpec, trials: Int, repeats: Int, executor: any TrialExecutor, log: @Sendable (String) -> Void = { _ in }
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StoreFactory.open(directory.path, access: .create).experiments
        let loadBefore = loadAverage()
        var runs: [Run] = []
        for repeatIndex in 0..<max(repeats, 1) {
            for parallel in [1, 2] {
                var variant = spec
                variant.name = "\(spec.name)-p\(parallel)-\(repeatIndex)"
                variant.searcher = SearcherSpec(algorithm: "random", seed: spec.searcher.seed)
                variant.scheduler = SchedulerSpec()
                variant.budget.trials = trials
                variant.budget.parallel = parallel
                log("running \(variant.name)…")
                runs.append(try await measure(variant, store: store, executor: executor))
            }
        }
        return Result(spec: spec.name, trials: trials, runs: runs, loadBefore: loadBefore, loadAfter: loadAverage())
    }

    static func measure(_ spec: ExperimentSpec, store: any ExperimentStore, executor: any TrialExecutor) async throws -> Run {
        let engine = try await ExperimentRunner.start(
            spec: spec, specPath: nil, data: nil, store: store, executor: executor, options: RunOptions())
        let cpuBefore = OverheadBenchmark.processCPUSeconds()
        let start = ContinuousClock.now
        _ = try await engine.run()
        let seconds = OverheadBenchmark.milliseconds(ContinuousClock.now - start) / 1000
        let cpuSeconds = OverheadBenchmark.processCPUSeconds() - cpuBefore
        var durations: [Int: Double] = [:]
        for try await trial in store.allTrials(try await store.requireExperiment(spec.name)) where trial.state == .completed {
            durations[trial.number] = trial.duration
        }
        return Run(parallel: spec.budget.parallel, durations: durations, seconds: seconds, cpuSeconds: cpuSeconds)
    }

    /// The 1-minute load average (NaN where the system does not say).
    static func loadAverage() -> Double {
        var values = [Double](repeating: .nan, count: 1)
        return getloadavg(&values, 1) == 1 ? values[0] : .nan
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
