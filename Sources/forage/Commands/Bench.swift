import ArgumentParser
import ForageBench
import ForageEngine
import ForageML
import ForageSearch
import ForageServer
import ForageSpec
import Foundation

extension Forage {
    /// `forage bench …`: release-build benchmarks that print their figures.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmarks (build with -c release for meaningful numbers).", subcommands: [Overhead.self, Search.self, Trainers.self, ServeLoad.self, Workers.self, Cluster.self, AutoML.self])

        /// `forage bench overhead`: trials/s with every trial committed, and the leaderboard query time.
        struct Overhead: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Orchestration overhead: noop trials/s with 1 and 2 slots and with 50 reports per trial; leaderboard query time.")

            @Option(help: "Multiply the trial counts (0.1 for a quick look).")
            var scale: Double = 1

            @Option(help: "Trials in the store used for the leaderboard query.")
            var leaderboardTrials: Int = 100_000

            func run() async throws {
                try await reportingErrors {
                    BenchSupport.noteIfDebugBuild()
                    let result = try await OverheadBenchmark.run(scale: scale, leaderboardTrials: leaderboardTrials) { printNote($0) }
                    print(result.table())
                }
            }
        }
    
        /// `forage bench workers`: noop trials/s through a coordinator and local `forage worker` processes.
        struct Workers: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remote-worker throughput: noop trials/s through a coordinator and 1–2 local `forage worker` processes over loopback.")

            @Option(help: "Trials per configuration.")
            var trials = 20_000

            func run() async throws {
                try await reportingErrors {
                    BenchSupport.noteIfDebugBuild()
                    let path = try BenchSupport.forageBinaryPath()
                    let rows = try await WorkerBenchmark.run(
                        forage: URL(fileURLWithPath: path), trials: trials, configurations: [(1, 1), (2, 1), (2, 2)],
                        parse: { try SpecLoader.parse($0, file: "bench-workers.yaml", baseDirectory: FileManager.default.temporaryDirectory.path) }
                    ) { printNote($0) }
                    print(WorkerBenchmark.table(rows))
                }
            }
        }

        /// `forage bench search`: simple regret of each searcher on the benchmark functions, and TPE suggestion time.
        struct Search: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Search quality: median and IQR of simple regret after 25/50/100 trials over 10 seeds, per searcher.")

            @Option(help: "Trials per study.")
            var trials: Int = 100

            @Option(help: "Seeds per searcher and function.")
            var seeds: Int = 10

            @Option(help: "Only these Forage searchers on the five functions (random, sobol, tpe-indep, tpe, cmaes, gp), comma-separated; --optuna-samplers picks Optuna's.")
            var searchers: String?

            @Option(help: "Only these of the five functions (branin, hartmann6, rosenbrock10, ackley5, styblinski5), comma-separated, for Forage and Optuna alike.")
            var problems: String?

            @Option(help: "Optuna's samplers on the five functions with --optuna (tpe, gp, cmaes, random), comma-separated; 'none' runs only its CMA-ES on the long problems.")
            var optunaSamplers: String = "tpe,gp"

            @Option(help: "Trials per CMA-ES study on the long problems (Rosenbrock-10, Ackley-5, sphere-20); 0 skips them.")
            var longTrials: Int = 1_000

            @Option(help: "A Python with optuna, cmaes and torch: run Optuna's TPE, GP and CMA-ES samplers on the same problems and seeds after Forage's tables.")
            var optuna: String?

            @Option(help: "The peer script --optuna runs.")
            var optunaScript: String = "bench/optuna_search.py"

            @Option(help: "Trials per study of the warm-start comparison (tpe, gp, cmaes cold and warm-started on Branin and Hartmann6); 0 skips it.")
            var warmStartTrials: Int = 25

            @Option(help: "The early-stopping check: a spec run with and without its scheduler (skipped when the file is missing).")
            var scheduler: String = "Experiments/digits-mlp-asha.yaml"

            @OptionGroup var pareto: ParetoBenchOptions

            func run() async throws {
                try await reportingErrors {
                    if try pareto.run(seeds: seeds) { return }
                    let selection = try BenchSearchSelection(searchers: searchers, problems: problems)
                    var load = [0.0, 0, 0]
                    _ = getloadavg(&load, 3)
                    printNote(String(format: "load average %.2f %.2f %.2f", load[0], load[1], load[2]))
                    if !selection.searchers.isEmpty {
                        let report = try SearchQualityBenchmark.run(
                            trials: trials, seeds: 0..<seeds, searchers: selection.searchers, problems: selection.problems)
                        print(report.table())
                    }
                    if longTrials > 0 {
                        printNote("running cmaes for \(longTrials) trials on the long problems…")
                        let long = try SearchQualityBenchmark.run(
                            trials: longTrials, seeds: 0..<seeds, checkpoints: [longTrials / 10, longTrials / 2, longTrials],
                            searchers: SearchQualityBenchmark.searchers.filter { $0.name == "cmaes" }, problems: SearchQualityBenchmark.longProblems,
                            timingCounts: [])
                        print("")
                        print(long.table())
                    }
                    if let optuna {
                        try BenchOptuna.run(
                            python: optuna, script: optunaScript, samplers: optunaSamplers == "none" ? nil : optunaSamplers, trials: trials,
                            seeds: seeds, problems: selection.problems.map(\.name), longTrials: longTrials)
                    }
                    if warmStartTrials > 0 {
                        printNote("running the warm-start comparison…")
                        let rows = try WarmStartBenchmark.run(trials: warmStartTrials, sourceTrials: 2 * warmStartTrials, seeds: 0..<seeds)
                        print("")
                        print(WarmStartBenchmark.table(rows, trials: warmStartTrials, sourceTrials: 2 * warmStartTrials, seeds: seeds))
                    }
                    guard FileManager.default.fileExists(atPath: scheduler) else {
                        printNote("\(scheduler) not found: skipping the early-stopping check")
                        return
                    }
                    let spec = try SpecLoader.load(path: scheduler)
                    printNote("running \(spec.name) with and without \(spec.scheduler.algorithm)…")
                    let (executor, _) = try TrialSetup.make(for: spec)
                    print("")
                    print("early stopping: \(spec.name), \(spec.budget.trials) trials, \(spec.searcher.algorithm) seed \(spec.searcher.seed)")
                    print(try await SchedulerBenchmark.run(spec: spec, scheduler: spec.scheduler, executor: executor).table())
                }
            }
        }

        /// `forage bench trainers`: fit time and accuracy of the built-in trainers.
        struct Trainers: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Trainer fit times and scores on Experiments/data and on a generated 100 000 × 50 table; per-trial cost of 2 parallel slots against 1.")

            @Option(help: "Folder with digits.csv and diabetes.csv.")
            var data: String = "Experiments/data"

            @Option(help: "Rows of the generated tables.")
            var rows: Int = 100_000

            @Option(help: "Only these parts: ridge, ridge-classifier, logistic, mlp, parallel (the slots check); repeat the option for several.")
            var only: [String] = []

            @Option(help: "The parallel-slots check: a model spec run with 1 and 2 slots (skipped when the file is missing).")
            var parallelSpec: String = "Experiments/digits-mlp.yaml"

            @Option(help: "Trials per run of the parallel-slots check (0 skips it).")
            var parallelTrials: Int = 20

            @Option(help: "Runs of the parallel-slots check on each slot count, alternately.")
            var parallelRepeats: Int = 3

            func run() async throws {
                try await reportingErrors {
                    if !(only.count == 1 && only.first == "parallel") {
                        print(try TrainerBenchmark.run(dataDirectory: data, threads: 1, largeRows: rows, only: Set(only)))
                    }
                    guard parallelTrials > 0, only.isEmpty || only.contains("parallel") else { return }
                    guard FileManager.default.fileExists(atPath: parallelSpec) else {
                        printNote("\(parallelSpec) not found: skipping the parallel-slots check")
                        return
                    }
                    let spec = try SpecLoader.load(path: parallelSpec)
                    let (executor, _) = try TrialSetup.make(for: spec)
                    let result = try await ParallelBenchmark.run(
                        spec: spec, trials: parallelTrials, repeats: parallelRepeats, executor: executor) { printNote($0) }
                    print("")
                    print(result.table())
                }
            }
        }
    }
}
