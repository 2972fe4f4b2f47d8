import Foundation

/// A Slurm job-array script whose tasks each run one long-lived `forage worker --store` (DESIGN §10): Slurm places
/// the workers, the shared store hands them trials. The store URL is written without its password (the tasks find
/// it in `$PGPASSWORD` or `~/.pgpass`, as libpq does).
struct SlurmRecipe {
    var store: String
    var workers: Int
    var parallel: Int
    var gpusPerWorker: Int?
    var time: String?
    var partition: String?
    var experiment: String?
    var jobName: String
    var forage: String

    var script: String {
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(jobName)", "#SBATCH --array=0-\(workers - 1)", "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=\(parallel)"]
        if let gpusPerWorker { lines.append("#SBATCH --gres=gpu:\(gpusPerWorker)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        lines.append("#SBATCH --output=\(jobName)-%A_%a.out")
        lines += [
            "",
            "# Written by `forage launch slurm`. Each array task is one long-lived worker that claims trials from the",
            "# shared store until the search is over; any of them takes over driving the search if its driver dies.",
            "# Command trials inherit this environment (SLURM_ARRAY_TASK_ID, CUDA_VISIBLE_DEVICES, …).",
            "# The store's password is not written here: set PGPASSWORD or ~/.pgpass on the cluster.",
            "set -euo pipefail",
            "export FORAGE_STORE=\(ShellQuote.quote(store))",
            "exec \(ShellQuote.quote(forage)) worker --store \"$FORAGE_STORE\" --parallel \(parallel) \\",
            "    --name \"slurm-${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-0}}-${SLURM_ARRAY_TASK_ID:-0}\""
                + (experiment.map { " \\\n    --experiment \(ShellQuote.quote($0))" } ?? ""),
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// POSIX shell quoting for values written into scripts.
enum ShellQuote {
    static func quote(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ safe.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
