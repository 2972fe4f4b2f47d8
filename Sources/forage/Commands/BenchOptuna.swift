import ForageCore
import Foundation

/// `forage bench search --optuna PYTHON`: runs `bench/optuna_search.py` with that interpreter right after Forage's
/// own tables, so Optuna 5's samplers are measured on the same problems, seeds and machine in the same run.
enum BenchOptuna {
    /// Runs the peer script for `samplers` (and CMA-ES on the long problems when `longTrials` > 0), streaming its
    /// tables to stdout; a missing interpreter or script, or a failed run, is a `CLIError`.
    /// `samplers` nil skips the five functions; `problems` names those the script runs.
    static func run(python: String, script: String, samplers: String?, trials: Int, seeds: Int, problems: [String], longTrials: Int) throws {
        guard FileManager.default.fileExists(atPath: script) else {
            throw CLIError("--optuna: the peer script \(script) is not here; run from the repository root or pass --optuna-script PATH")
        }
        var runs: [[String]] = []
        if let samplers {
            let checkpoints = [25, 50, 100].filter { $0 <= trials }.map(String.init).joined(separator: ",")
            runs.append([
                "--samplers", samplers, "--trials", String(trials), "--seeds", String(seeds), "--problems", problems.joined(separator: ","),
                "--checkpoints", checkpoints.isEmpty ? String(trials) : checkpoints, "--out", "/dev/null",
            ])
        }
        if longTrials > 0 {
            runs.append(["--samplers", "cmaes", "--long", "--trials", String(longTrials), "--seeds", String(seeds), "--out", "/dev/null"])
        }
        for arguments in runs {
            print("")
            print("optuna: \(arguments.prefix { $0 != "--out" }.joined(separator: " "))")
            fflush(nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python.contains("/") ? python : "/usr/bin/env")
            process.arguments = (python.contains("/") ? [] : [python]) + [script] + arguments
            do {
                try process.run()
            } catch {
                throw CLIError("--optuna: cannot start \(python): \(FileProblem.reason(error, path: python))")
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIError("--optuna: \(python) \(script) exited with status \(process.terminationStatus) (does it have optuna, cmaes and torch?)")
            }
        }
    }
}
