import ArgumentParser
import ForageBench
import ForageCore
import Foundation

/// `forage bench search`'s multi-objective part: Forage's nsga2, tpe and random hypervolume on ZDT1, ZDT2 and
/// DTLZ2, with Optuna's NSGAIISampler and TPESampler measured in the same run by `bench/optuna_pareto.py`.
struct ParetoBenchOptions: ParsableArguments {
    @Flag(help: "Run only the multi-objective benchmark (hypervolume on ZDT1, ZDT2, DTLZ2).")
    var pareto = false

    @Option(help: "Trials per multi-objective study (0: only the suggestion times).")
    var paretoTrials = 200

    @Option(help: "A Python with optuna: runs bench/optuna_pareto.py in the same run and prints Optuna's hypervolume beside Forage's.")
    var optunaPython: String?

    /// Runs the multi-objective part when `--pareto` asks; returns whether it ran.
    func run(seeds: Int) throws -> Bool {
        guard pareto else { return false }
        guard paretoTrials >= 0 else { throw CLIError("--pareto-trials must be 0 or more (got \(paretoTrials))") }
        BenchSupport.noteIfDebugBuild()
        var load = [0.0, 0, 0]
        _ = getloadavg(&load, 3)
        printNote(String(format: "load average %.2f %.2f %.2f", load[0], load[1], load[2]))
        if paretoTrials > 0 {
            let cells = try ParetoBenchmark.run(trials: paretoTrials, seeds: 0..<seeds)
            var peers: [String: (median: Double, q25: Double, q75: Double)] = [:]
            if let optunaPython { peers = try optuna(python: optunaPython, seeds: seeds) }
            print(ParetoBenchmark.table(cells, trials: paretoTrials, seeds: seeds, peers: peers))
            print("")
        }
        print("suggestion time, CPU ms, median of 9 (random history growing by one trial per suggestion, to 100 / 1000 / 10000);")
        print("cmaes and gp use the first objective only: see the single-objective table")
        print("  sampler      problem        100 trials  1000 trials  10000 trials")
        for problem in [ParetoBenchmark.problems[0], ParetoBenchmark.problems[2]] {
            for searcher in ParetoBenchmark.timedSearchers {
                var line = "  " + searcher.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + problem.name.padding(toLength: 15, withPad: " ", startingAt: 0)
                for count in [100, 1_000, 10_000] {
                    let ms = try ParetoBenchmark.suggestionMilliseconds(searcher.spec, problem: problem, finished: count)
                    line += String(format: "%-13.3f", ms)
                }
                print(line)
            }
        }
        return true
    }

    /// Runs the Optuna script and reads its last line (JSON).
    private func optuna(python: String, seeds: Int) throws -> [String: (median: Double, q25: Double, q75: Double)] {
        let script = "bench/optuna_pareto.py"
        guard FileManager.default.fileExists(atPath: script) else { throw CLIError("\(script) not found: run from the repository's root") }
        printNote("running Optuna on the same problems (\(script))…")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--trials", String(paretoTrials), "--seeds", String(seeds), "--json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw CLIError("cannot run \(python): \(FileProblem.reason(error, path: python))") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let last = output.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
            let cells = object["cells"] as? [String: [Double]]
        else { throw CLIError("\(script) failed (exit \(process.terminationStatus)); its output:\n\(output)") }
        return cells.compactMapValues { $0.count == 3 ? ($0[0], $0[1], $0[2]) : nil }
    }
}
