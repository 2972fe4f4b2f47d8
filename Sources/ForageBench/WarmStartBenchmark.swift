import Foundation
import ForageCore
import ForageSearch

/// `forage bench search`'s warm-start table: the simple regret after `trials` trials of a sampler started cold, and
/// warm-started (`warm_start:`) from an earlier experiment of `sourceTrials` trials on the same function, run by the
/// same sampler with another seed: once over the same space, once over a space 25% wider on every side (so the
/// source trials outside the new space are left out, as after a narrowed range).
public enum WarmStartBenchmark {
    /// One sampler on one problem: regret summaries for the cold start and the two warm starts.
    public struct Row: Sendable {
        public var problem: String
        public var searcher: String
        public var cold: SearchQualityBenchmark.Summary
        public var warm: SearchQualityBenchmark.Summary
        public var warmFromWider: SearchQualityBenchmark.Summary
        /// The median number of source trials kept from the wider space.
        public var keptFromWider: Double
    }

    public static let problemNames = ["branin", "hartmann6"]
    public static let searcherNames = ["tpe", "gp", "cmaes"]

    public static func run(trials: Int = 25, sourceTrials: Int = 50, seeds: Range<Int> = 0..<10) throws -> [Row] {
        var rows: [Row] = []
        for problem in SearchQualityBenchmark.problems where problemNames.contains(problem.name) {
            for name in searcherNames {
                var cold: [Double] = []
                var warm: [Double] = []
                var wider: [Double] = []
                var kept: [Double] = []
                for seed in seeds {
                    let spec = SearcherSpec(algorithm: name, seed: UInt64(seed))
                    let source = try history(spec: SearcherSpec(algorithm: name, seed: UInt64(seed + 1000)), problem: problem, space: problem.space, trials: sourceTrials)
                    let widened = widen(problem.space)
                    let wideSource = try history(spec: SearcherSpec(algorithm: name, seed: UInt64(seed + 2000)), problem: problem, space: widened, trials: sourceTrials)
                    cold.append(try regret(spec: spec, problem: problem, warm: nil, trials: trials))
                    warm.append(try regret(spec: spec, problem: problem, warm: WarmStart(source: source, space: problem.space), trials: trials))
                    let fitted = WarmStart(source: wideSource, space: problem.space)
                    kept.append(Double(fitted.trials.count))
                    wider.append(try regret(spec: spec, problem: problem, warm: fitted, trials: trials))
                }
                rows.append(Row(
                    problem: problem.name, searcher: name, cold: SearchQualityBenchmark.summary(cold), warm: SearchQualityBenchmark.summary(warm),
                    warmFromWider: SearchQualityBenchmark.summary(wider), keptFromWider: SearchQualityBenchmark.summary(kept).median))
            }
        }
        return rows
    }

    /// The completed trials of one sequential study of `spec` on `problem` over `space`.
    static func history(spec: SearcherSpec, problem: SearchQualityBenchmark.Problem, space: SearchSpace, trials: Int) throws
        -> [(params: ParameterSet, value: Double)]
    {
        let sampler = try SamplerRegistry.make(spec, space: space)
        var history = TrialHistory(objective: objective)
        var result: [(params: ParameterSet, value: Double)] = []
        for number in 0..<trials {
            guard let params = sampler.suggest(index: number, space: space, history: history) else { break }
            let value = try problem.function.evaluate(params)
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: value))
            result.append((params, value))
        }
        return result
    }

    /// The simple regret after `trials` trials of `spec` on `problem`, warm-started from `warm` when given.
    static func regret(spec: SearcherSpec, problem: SearchQualityBenchmark.Problem, warm: WarmStart?, trials: Int) throws -> Double {
        let built = try SamplerRegistry.make(spec, space: problem.space)
        let sampler: any Sampler = warm.map { WarmStartedSampler(base: built, warm: $0) } ?? built
        var history = TrialHistory(objective: objective)
        var best = Double.infinity
        for number in 0..<trials {
            guard let params = sampler.suggest(index: number, space: problem.space, history: history) else { break }
            let value = try problem.function.evaluate(params)
            history.upsert(TrialSnapshot(number: number, state: .completed, params: params, value: value))
            best = min(best, value)
        }
        return best - problem.minimum
    }

    /// The space with every float range 25% wider on each side.
    static func widen(_ space: SearchSpace) -> SearchSpace {
        SearchSpace(space.parameters.map { parameter in
            guard case .float(let low, let high, let log, let step) = parameter.distribution else { return parameter }
            var wider = parameter
            wider.distribution = .float(low: low - 0.25 * (high - low), high: high + 0.25 * (high - low), log: log, step: step)
            return wider
        })
    }

    public static func table(_ rows: [Row], trials: Int, sourceTrials: Int, seeds: Int) -> String {
        var lines = [
            "warm start: simple regret after \(trials) trials, median [q25, q75] over \(seeds) seeds; the source is an earlier "
                + "\(sourceTrials)-trial study of the same sampler (another seed) over the same space, or over a space 25% wider on every side",
        ]
        func cell(_ s: SearchQualityBenchmark.Summary) -> String {
            let text = String(format: "%.4g [%.4g, %.4g]", s.median, s.q25, s.q75)
            return text + String(repeating: " ", count: max(1, 32 - text.count))
        }
        var problem = ""
        for row in rows {
            if row.problem != problem {
                problem = row.problem
                lines.append("")
                lines.append(problem)
                lines.append("  " + "sampler".padding(toLength: 9, withPad: " ", startingAt: 0) + "cold".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "warm (same space)".padding(toLength: 32, withPad: " ", startingAt: 0) + "warm (wider source; kept)")
            }
            lines.append("  " + row.searcher.padding(toLength: 9, withPad: " ", startingAt: 0) + cell(row.cold) + cell(row.warm)
                + cell(row.warmFromWider).trimmingCharacters(in: .whitespaces) + String(format: "; %.0f of %d", row.keptFromWider, sourceTrials))
        }
        return lines.joined(separator: "\n")
    }

    private static let objective = Objective(metric: "value", direction: .minimize)
}
