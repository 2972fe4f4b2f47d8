import Foundation
import ForageCore
import ForageML
import ForageSearch

/// The search-quality and sampler-cost benchmark behind `forage bench search` (DESIGN §9): simple regret of each
/// searcher on Branin, Hartmann6, Rosenbrock-10 and Ackley-5 over several seeds, and TPE's suggestion time against
/// the length of the history. Everything runs in the calling thread; use a release build for meaningful times.
public enum SearchQualityBenchmark {
    /// A searcher under test: a display name and its spec (the seed is replaced per study).
    public struct Searcher: Sendable {
        public var name: String
        public var spec: SearcherSpec

        public init(name: String, spec: SearcherSpec) {
            self.name = name
            self.spec = spec
        }
    }

    /// A test function with its box-shaped space and known minimum.
    public struct Problem: Sendable {
        public var name: String
        public var function: BenchmarkFunction
        public var space: SearchSpace
        public var minimum: Double
    }

    /// The default searchers, named as in the peer study: random, Sobol, `tpe-indep` (univariate TPE) and `tpe`
    /// (`TPEOptions()` defaults, which are multivariate, as Optuna 5's default `TPESampler`).
    public static let searchers: [Searcher] = [
        Searcher(name: "random", spec: SearcherSpec(algorithm: "random")),
        Searcher(name: "sobol", spec: SearcherSpec(algorithm: "sobol")),
        Searcher(name: "tpe-indep", spec: SearcherSpec(algorithm: "tpe", options: ["multivariate": .bool(false)])),
        Searcher(name: "tpe", spec: SearcherSpec(algorithm: "tpe")),
        Searcher(name: "cmaes", spec: SearcherSpec(algorithm: "cmaes")),
        Searcher(name: "gp", spec: SearcherSpec(algorithm: "gp")),
    ]

    /// Samplers only timed (their suggestion time beside the others'), not in the regret study: `grid` (5 points per
    /// parameter), `cfo` and `nsga2`.
    public static let timingOnlySearchers: [Searcher] = [
        Searcher(name: "grid", spec: SearcherSpec(algorithm: "grid")),
        Searcher(name: "cfo", spec: SearcherSpec(algorithm: "cfo")),
        Searcher(name: "nsga2", spec: SearcherSpec(algorithm: "nsga2")),
    ]

    /// The problems of Optuna's peer study (`shared/peers/optuna_quality.py`, plus Styblinski-Tang-5 on [-5, 5]^5), with
    /// the same domains.
    public static let problems: [Problem] = [
        Problem(name: "branin", function: .branin, space: box(["x": (-5, 10), "y": (0, 15)].sorted { $0.key < $1.key }),
            minimum: BenchmarkFunction.branin.minimum ?? 0),
        Problem(name: "hartmann6", function: .hartmann6, space: cube(6, 0, 1), minimum: BenchmarkFunction.hartmann6.minimum ?? 0),
        Problem(name: "rosenbrock10", function: .rosenbrock, space: cube(10, -5, 10), minimum: 0),
        Problem(name: "ackley5", function: .ackley, space: cube(5, -32.768, 32.768), minimum: 0),
        Problem(name: "styblinski5", function: .styblinski, space: cube(5, -5, 5), minimum: BenchmarkFunction.styblinskiMinimum(dimensions: 5)),
    ]

    /// The long continuous problems CMA-ES is compared on at 1 000 trials.
    public static let longProblems: [Problem] = [
        Problem(name: "rosenbrock10", function: .rosenbrock, space: cube(10, -5, 10), minimum: 0),
        Problem(name: "ackley5", function: .ackley, space: cube(5, -32.768, 32.768), minimum: 0),
        Problem(name: "sphere20", function: .sphere, space: cube(20, -5, 5), minimum: 0),
    ]

    /// How long each sampler's suggestions are timed: up to 10 000 finished trials, GP only to 500 (its cost grows with
    /// the cube of the history).
    public static func timingCounts(for algorithm: String, requested: [Int]) -> [Int] {
        algorithm == "gp" ? Array(Set(requested.map { min($0, 500) })).sorted() : requested
    }

    /// Median and quartiles of a sample.
    public struct Summary: Sendable, Equatable {
        public var median: Double
        public var q25: Double
        public var q75: Double
    }

    /// One searcher on one problem: regret summaries at each checkpoint and the median wall time of a study.
    public struct Cell: Sendable {
        public var searcher: String
        public var problem: String
        public var checkpoints: [Int]
        public var regret: [Summary]
        public var medianWallSeconds: Double
    }

    /// A sampler's time to suggest with `finished` trials in the history (and the next few, one more each time).
    public struct SuggestionTiming: Sendable {
        public var searcher: String
        public var finished: Int
        public var medianMilliseconds: Double
        /// The mean over the same suggestions: with GP it carries the kernel refit that one in every few pays.
        public var meanMilliseconds: Double = .nan
    }

    /// Everything the benchmark measured, ready to print with `table()`.
    public struct Report: Sendable {
        public var trials: Int
        public var seeds: Int
        public var cells: [Cell]
        public var timings: [SuggestionTiming]

        /// A plain-text table: per problem, one row per searcher with `median [q25, q75]` regret at each checkpoint
        /// and seconds per study; then the suggestion times.
        public func table() -> String {
            var lines: [String] = ["search quality: simple regret (best so far − minimum), median [q25, q75] over \(seeds) seeds, \(trials) trials"]
            var problems: [String] = []
            for cell in cells where !problems.contains(cell.problem) { problems.append(cell.problem) }
            for problem in problems {
                let rows = cells.filter { $0.problem == problem }
                guard let first = rows.first else { continue }
                lines.append("")
                lines.append(problem)
                var header = "  " + pad("searcher", 11)
                for c in first.checkpoints { header += pad("regret@\(c)", 30) }
                header += "s/study"
                lines.append(header)
                for row in rows {
                    var line = "  " + pad(row.searcher, 11)
                    for s in row.regret { line += pad("\(number(s.median)) [\(number(s.q25)), \(number(s.q75))]", 30) }
                    line += String(format: "%.3f", row.medianWallSeconds)
                    lines.append(line)
                }
            }
            if !timings.isEmpty {
                lines.append("")
                lines.append("suggestion time (hartmann6, random history growing by one trial per suggestion), CPU ms: median (mean) of 16")
                for t in timings {
                    lines.append("  " + pad(t.searcher, 11) + pad("\(t.finished) trials", 16) + String(format: "%.3f (%.3f)", t.medianMilliseconds, t.meanMilliseconds))
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs the quality study (`searchers` × `problems` × `seeds`, `trials` sequential trials each) and, unless
    /// `timingCounts` is empty, the TPE suggestion-time measurement.
    public static func run(
        trials: Int = 100, seeds: Range<Int> = 0..<10, checkpoints: [Int] = [25, 50, 100], searchers: [Searcher] = searchers,
        problems: [Problem] = problems, timingCounts: [Int] = [100, 1_000, 10_000],
        timingSearchers: [Searcher] = searchers + timingOnlySearchers
    ) throws -> Report {
        var cells: [Cell] = []
        let checkpoints = checkpoints.filter { $0 <= trials }
        for problem in problems {
            for searcher in searchers {
                var regrets = [[Double]](repeating: [], count: checkpoints.count)
                var walls: [Double] = []
                for seed in seeds {
                    let (curve, wall) = try study(searcher: searcher, problem: problem, seed: UInt64(seed), trials: trials)
                    for (k, c) in checkpoints.enumerated() { regrets[k].append(curve[c - 1]) }
                    walls.append(wall)
                }
                cells.append(Cell(
                    searcher: searcher.name, problem: problem.name, checkpoints: checkpoints, regret: regrets.map(summary),
                    medianWallSeconds: summary(walls).median))
            }
        }
        var timings: [SuggestionTiming] = []
        for searcher in timingCounts.isEmpty ? [] : timingSearchers {
            for count in Self.timingCounts(for: searcher.spec.algorithm, requested: timingCounts) {
                let times = try suggestionTimes(spec: searcher.spec, finished: count)
                timings.append(SuggestionTiming(
                    searcher: searcher.name, finished: count, medianMilliseconds: summary(times).median,
                    meanMilliseconds: times.reduce(0, +) / Double(max(times.count, 1))))
            }
        }
        return Report(trials: trials, seeds: seeds.count, cells: cells, timings: timings)
    }

    /// One sequential study: the simple regret after each trial, and the study's wall time in seconds.
    public static func study(searcher: Searcher, problem: Problem, seed: UInt64, trials: Int) throws -> (regret: [Double], seconds: Double) {
        var spec = searcher.spec
        spec.seed = seed
        let sampler = try SamplerRegistry.make(spec, space: problem.space)
        var history = TrialHistory(objective: Objective(metric: "value", direction: .minimize))
        var best = Double.infinity
        var regret: [Double] = []
        regret.reserveCapacity(trials)
        let clock = ContinuousClock()
        let start = clock.now
        for number in 0..<trials {
            guard let params = sampler.suggest(index: number, space: problem.space, history: history) else { break }
            let value = try problem.function.evaluate(params)
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: value))
            best = min(best, value)
            regret.append(best - problem.minimum)
        }
        let seconds = seconds(clock.now - start)
        while regret.count < trials { regret.append(regret.last ?? .infinity) }
        return (regret, seconds)
    }

    /// The median CPU time in milliseconds of `repeats` suggestions of the sampler `spec` names, the first with
    /// `finished` random Hartmann6 trials in the history and each next one with one more, added to the same history
    /// as the search engine adds it (as in a sequential search, so a sampler that reuses work between suggestions,
    /// such as GP's kernel fit or CMA-ES's replay, is timed as it runs).
    public static func suggestionMilliseconds(spec: SearcherSpec, finished: Int, repeats: Int = 16) throws -> Double {
        summary(try suggestionTimes(spec: spec, finished: finished, repeats: repeats)).median
    }

    /// The times behind `suggestionMilliseconds`, in order.
    static func suggestionTimes(spec: SearcherSpec, finished: Int, repeats: Int = 16) throws -> [Double] {
        let space = cube(6, 0, 1)
        let random = RandomSampler(seed: 12_345)
        var history = TrialHistory(objective: objective)
        func addRandomTrial(_ number: Int) throws {
            guard let params = random.suggest(index: number, space: space, history: TrialHistory(objective: objective)) else { return }
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: try BenchmarkFunction.hartmann6.evaluate(params)))
        }
        for number in 0..<finished { try addRandomTrial(number) }
        var seeded = spec
        seeded.seed = 7
        let sampler = try SamplerRegistry.make(seeded, space: space)
        var times: [Double] = []
        for k in 0..<max(repeats, 1) {
            let start = threadCPUSeconds()
            _ = sampler.suggest(index: finished + k, space: space, history: history)
            times.append((threadCPUSeconds() - start) * 1000)
            try addRandomTrial(finished + k)
        }
        return times
    }

    /// The calling thread's CPU time in seconds: suggestions run in the calling thread (BLAS too, with one thread),
    /// so this is their cost however loaded the machine is.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    // MARK: helpers

    private static let objective = Objective(metric: "value", direction: .minimize)

    static func cube(_ dimensions: Int, _ low: Double, _ high: Double) -> SearchSpace {
        SearchSpace((0..<dimensions).map { Parameter(name: "x\($0)", distribution: .float(low: low, high: high, log: false, step: nil)) })
    }

    static func box(_ bounds: [(key: String, value: (Double, Double))]) -> SearchSpace {
        SearchSpace(bounds.map { Parameter(name: $0.key, distribution: .float(low: $0.value.0, high: $0.value.1, log: false, step: nil)) })
    }

    /// Median and quartiles with linear interpolation (NumPy's default), so figures compare with the peers'.
    static func summary(_ values: [Double]) -> Summary {
        let sorted = values.sorted()
        func quantile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let position = q * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, sorted.count - 1)
            return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        }
        return Summary(median: quantile(0.5), q25: quantile(0.25), q75: quantile(0.75))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func number(_ x: Double) -> String {
        String(format: "%.4g", x)
    }
}
