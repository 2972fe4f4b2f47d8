import ForageCore
import ForageServer
import ForageEngine
import ForageBackends
import ForageExecutor
import ForageStore
import Foundation

/// Early stopping against full training: the same search (searcher, seed, trials) run once with `scheduler: none`
/// and once with another scheduler, comparing the best objective value and the total resource (steps, i.e. epochs)
/// spent. `forage bench search` runs it on the digits MLP with ASHA.
public enum SchedulerBenchmark {
    /// One of the two runs.
    public struct Run: Sendable {
        public var scheduler: String
        public var best: Double?
        public var totalSteps: Int
        public var completed: Int
        public var pruned: Int
        public var seconds: Double
    }

    /// Both runs, and how they compare.
    public struct Result: Sendable {
        public var metric: String
        public var full: Run
        public var early: Run

        /// The early-stopped run's resource as a fraction of the full run's.
        public var resourceFraction: Double { Double(early.totalSteps) / Double(max(full.totalSteps, 1)) }

        public func table() -> String {
            var lines = ["scheduler   best \(metric)   total steps   completed   pruned   seconds"]
            for run in [full, early] {
                lines.append(
                    run.scheduler.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(format: "  %16.4f  %12d  %10d  %7d  %8.1f", run.best ?? .nan, run.totalSteps, run.completed, run.pruned, run.seconds))
            }
            let gap = ((full.best ?? .nan) - (early.best ?? .nan)) * 100
            lines.append(String(format: "%@ used %.0f%% of the full run's steps; best differs by %.2f points", early.scheduler, resourceFraction * 100, gap))
            return lines.joined(separator: "\n")
        }
    }

    /// Runs `spec` twice in a temporary store: as given but with no scheduler, then with `scheduler`.
    public static func run(spec: ExperimentSpec, scheduler: SchedulerSpec, executor: any TrialExecutor) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StoreFactory.open(directory.path, access: .create).experiments
        var full = spec
        full.name = spec.name + "-full"
        full.scheduler = SchedulerSpec()
        var early = spec
        early.name = spec.name + "-" + scheduler.algorithm
        early.scheduler = scheduler
        return Result(
            metric: spec.objective.metric,
            full: try await measure(full, store: store, executor: executor),
            early: try await measure(early, store: store, executor: executor))
    }

    static func measure(_ spec: ExperimentSpec, store: any ExperimentStore, executor: any TrialExecutor) async throws -> Run {
        let engine = try await ExperimentRunner.start(spec: spec, specPath: nil, data: nil, store: store, executor: executor, options: RunOptions())
        let start = ContinuousClock.now
        let summary = try await engine.run()
        let seconds = OverheadBenchmark.milliseconds(ContinuousClock.now - start) / 1000
        let trials = try await store.allTrials(try await store.requireExperiment(spec.name)).collect()
        return Run(
            scheduler: spec.scheduler.algorithm, best: summary.best, totalSteps: trials.reduce(0) { $0 + ($1.lastStep ?? 0) },
            completed: trials.filter { $0.state == .completed }.count, pruned: trials.filter { $0.state == .pruned }.count, seconds: seconds)
    }
}
