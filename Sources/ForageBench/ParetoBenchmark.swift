import ForageCore
import ForageSearch
import Foundation

/// `forage bench search --pareto`: the hypervolume multi-objective samplers reach after a fixed number of trials on
/// ZDT1 (30 dimensions), ZDT2 (30 dimensions) and DTLZ2 (3 objectives, 12 dimensions), median and quartiles over
/// seeds, against fixed reference points; and the suggestion time with 10 000 finished two-objective trials.
/// `bench/optuna_pareto.py` measures Optuna's NSGAIISampler and TPESampler on the same problems and reference points.
public enum ParetoBenchmark {
    /// One test problem: its function, dimensions, objective count and hypervolume reference point.
    public struct Problem: Sendable {
        public var name: String
        public var function: BenchmarkFunction
        public var dimensions: Int
        public var objectives: Int
        public var reference: [Double]
    }

    /// The problems; the reference points bound every value the problems can take at these dimensions (ZDT
    /// f2 ≤ g ≤ 10; DTLZ2 fᵢ ≤ 1 + g ≤ 3.5), so no trial is left out of the volume.
    public static let problems: [Problem] = [
        Problem(name: "zdt1-30", function: .zdt1, dimensions: 30, objectives: 2, reference: [1.1, 11]),
        Problem(name: "zdt2-30", function: .zdt2, dimensions: 30, objectives: 2, reference: [1.1, 11]),
        Problem(name: "dtlz2-3obj", function: .dtlz2, dimensions: 12, objectives: 3, reference: [3.5, 3.5, 3.5]),
    ]

    public static let searchers: [(name: String, spec: SearcherSpec)] = [
        ("nsga2", SearcherSpec(algorithm: "nsga2")),
        ("tpe", SearcherSpec(algorithm: "tpe")),
        ("random", SearcherSpec(algorithm: "random")),
    ]

    /// One (problem, searcher) cell: the hypervolume's median and quartiles over seeds, and seconds per study.
    public struct Cell: Sendable {
        public var problem: String
        public var searcher: String
        public var hypervolume: (median: Double, q25: Double, q75: Double)
        public var secondsPerStudy: Double
    }

    public static func goals(_ problem: Problem) -> ObjectiveSet {
        ObjectiveSet(objectives: (1...problem.objectives).map { Objective(metric: "f\($0)", direction: .minimize) })
    }

    /// One sequential study; returns the final hypervolume and the wall time.
    public static func study(_ spec: SearcherSpec, problem: Problem, seed: UInt64, trials: Int) throws -> (hypervolume: Double, seconds: Double) {
        var seeded = spec
        seeded.seed = seed
        let space = SearchQualityBenchmark.cube(problem.dimensions, 0, 1)
        let sampler = try SamplerRegistry.make(seeded, space: space)
        var history = TrialHistory(goals: goals(problem))
        var points: [[Double]] = []
        let start = Date()
        for number in 0..<trials {
            guard let params = sampler.suggest(index: number, space: space, history: history) else { break }
            let metrics = try problem.function.metrics(params, objectives: problem.objectives)
            let values = (1...problem.objectives).map { metrics["f\($0)"] ?? .infinity }
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: values[0], values: values))
            points.append(values)
        }
        let seconds = Date().timeIntervalSince(start)
        return (Pareto.hypervolume(points, reference: problem.reference), seconds)
    }

    public static func run(trials: Int, seeds: Range<Int>, searchers: [(name: String, spec: SearcherSpec)] = searchers) throws -> [Cell] {
        var cells: [Cell] = []
        for problem in problems {
            for searcher in searchers {
                var volumes: [Double] = []
                var seconds: [Double] = []
                for seed in seeds {
                    let result = try study(searcher.spec, problem: problem, seed: UInt64(seed), trials: trials)
                    volumes.append(result.hypervolume)
                    seconds.append(result.seconds)
                }
                let summary = SearchQualityBenchmark.summary(volumes)
                cells.append(Cell(
                    problem: problem.name, searcher: searcher.name, hypervolume: (summary.median, summary.q25, summary.q75),
                    secondsPerStudy: SearchQualityBenchmark.summary(seconds).median))
            }
        }
        return cells
    }

    /// The samplers whose suggestion time is measured with several objectives: those that use every objective
    /// (`tpe-joint` is `tpe` with `multivariate: true`), and random search for scale.
    public static let timedSearchers: [(name: String, spec: SearcherSpec)] = [
        ("nsga2", SearcherSpec(algorithm: "nsga2")),
        ("tpe", SearcherSpec(algorithm: "tpe")),
        ("tpe-joint", SearcherSpec(algorithm: "tpe", options: ["multivariate": .bool(true)])),
        ("random", SearcherSpec(algorithm: "random")),
    ]

    /// The median CPU milliseconds of `repeats` suggestions on `problem` (ZDT1 by default) with random trials in the
    /// history, one more for each suggestion and `finished` for the last (as in a sequential search, so what a
    /// sampler keeps between suggestions is timed as it runs; at 1 000, TPE still keeps 500 bad trials).
    public static func suggestionMilliseconds(
        _ spec: SearcherSpec, problem: Problem = problems[0], finished: Int, repeats: Int = 9
    ) throws -> Double {
        let space = SearchQualityBenchmark.cube(problem.dimensions, 0, 1)
        let random = RandomSampler(seed: 99)
        var history = TrialHistory(goals: goals(problem))
        func addRandomTrial(_ number: Int) throws {
            guard let params = random.suggest(index: number, space: space, history: history) else { return }
            let metrics = try problem.function.metrics(params, objectives: problem.objectives)
            let values = (1...problem.objectives).map { metrics["f\($0)"] ?? 0 }
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: values[0], values: values))
        }
        let repeats = max(1, min(repeats, finished))
        let first = finished - repeats + 1
        for number in 0..<first { try addRandomTrial(number) }
        var seeded = spec
        seeded.seed = 7
        let sampler = try SamplerRegistry.make(seeded, space: space)
        var times: [Double] = []
        for number in first...finished {
            let start = SearchQualityBenchmark.threadCPUSeconds()
            _ = sampler.suggest(index: number, space: space, history: history)
            times.append((SearchQualityBenchmark.threadCPUSeconds() - start) * 1000)
            if number < finished { try addRandomTrial(number) }
        }
        return SearchQualityBenchmark.summary(times).median
    }

    /// The cells as a table, with the peers' cells (same problem and sampler names) beside Forage's when given.
    public static func table(_ cells: [Cell], trials: Int, seeds: Int, peers: [String: (median: Double, q25: Double, q75: Double)] = [:]) -> String {
        var lines = ["multi-objective: median hypervolume [q25, q75] after \(trials) trials over \(seeds) seeds (higher is better)"]
        for problem in problems {
            lines.append("\(problem.name) (reference point \(problem.reference.map { String(format: "%g", $0) }.joined(separator: ", ")))")
            for cell in cells where cell.problem == problem.name {
                var line = "  forage \(cell.searcher)".padding(toLength: 18, withPad: " ", startingAt: 0)
                    + format(cell.hypervolume).padding(toLength: 34, withPad: " ", startingAt: 0)
                    + String(format: "%.2f s/study", cell.secondsPerStudy)
                if let peer = peers["\(problem.name)/\(cell.searcher)"] {
                    line += "   optuna: " + format(peer) + (cell.hypervolume.median >= peer.median ? "  (forage ≥ optuna)" : "  (forage < optuna)")
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ s: (median: Double, q25: Double, q75: Double)) -> String {
        String(format: "%.4f [%.4f, %.4f]", s.median, s.q25, s.q75)
    }
}
