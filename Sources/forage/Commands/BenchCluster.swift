import ArgumentParser
import ForageCore
import ForageBench
import Foundation

extension Forage.Bench {
    /// `forage bench cluster`: searches through a shared PostgreSQL store with real worker processes, beside Optuna
    /// with `RDBStorage` on the same private server when `--optuna PYTHON` is given.
    struct Cluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Shared-store throughput: noop and 50-report trials/s with 1–8 `forage worker --store` processes on a private PostgreSQL server, the 16-slot sleep case over its floor, driver take-over after kill -9; Optuna on the same server with --optuna.")

        @Option(help: "Noop trials per worker count.")
        var trials = 20_000

        @Option(help: "50-report trials per worker count.")
        var reportTrials = 5_000

        @Option(help: "The worker counts measured (one slot each), comma-separated.")
        var workers = "1,2,4,8"

        @Option(help: "Trials of the sleep case (16 slots over 4 workers); 0 skips it.")
        var sleepTrials = 1_000

        @Option(help: "Seconds each sleep-case trial sleeps.")
        var sleepSeconds = 1.0

        @Option(help: "Driver kills measured for the take-over time; 0 skips them.")
        var takeovers = 3

        @Option(help: "A Python with optuna and psycopg2: run Optuna with RDBStorage on the same server in the same run.")
        var optuna: String?

        @Option(help: "The peer script --optuna runs.")
        var optunaScript = "bench/optuna_cluster.py"

        @Option(help: "Optuna's noop trials per worker count (it manages tens per second).")
        var optunaTrials = 300

        @Option(help: "Optuna's 50-report trials per worker count.")
        var optunaReportTrials = 40

        func run() async throws {
            try await reportingErrors {
                BenchSupport.noteIfDebugBuild()
                let path = try BenchSupport.forageBinaryPath()
                let counts = workers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
                guard !counts.isEmpty else { throw ValidationError("--workers: give worker counts such as 1,2,4,8") }
                if optuna != nil, !FileManager.default.fileExists(atPath: optunaScript) {
                    throw CLIError("--optuna: the peer script \(optunaScript) is not here; run from the repository root or pass --optuna-script PATH")
                }
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-bench-cluster-\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let setup: ClusterBenchmark.Setup
                do {
                    setup = try ClusterBenchmark.Setup(forage: URL(fileURLWithPath: path), directory: directory, log: { printNote($0) })
                } catch {
                    throw CLIError("\(error)")
                }
                printNote(Self.loadLine("before"))
                var lines = [
                    "case          workers  slots |  forage trials  seconds  trials/s |  optuna trials  seconds  trials/s"
                ]
                for (label, steps, trials) in [("noop", 0, self.trials), ("50 reports", 50, reportTrials)] where trials > 0 {
                    for count in counts {
                        let row = try ClusterBenchmark.throughput(setup, label: label == "noop" ? "noop" : "report", trials: trials, steps: steps, workers: count, slots: 1)
                        let peer = optuna == nil ? nil : try (peerRun(setup, case: steps > 0 ? "report" : "noop", workers: count, threads: 1, trials: steps > 0 ? optunaReportTrials : optunaTrials))
                        lines.append(Self.line(label, row, peer))
                    }
                }
                if sleepTrials > 0 {
                    let row = try ClusterBenchmark.sleeping(setup, trials: sleepTrials, seconds: sleepSeconds, workers: 4, slots: 4)
                    let peer = optuna == nil ? nil : try (peerRun(setup, case: "sleep", workers: 4, threads: 4, trials: sleepTrials))
                    lines.append(Self.line("sleep \(sleepSeconds) s", row, peer))
                    if let floor = row.floor {
                        var over = String(format: "sleep case: floor %.1f s; forage %.1f s, %.1f%% over the floor", floor, row.seconds, (row.seconds / floor - 1) * 100)
                        if let peer { over += String(format: "; optuna %.1f s, %.1f%% over", peer.seconds, (peer.seconds / floor - 1) * 100) }
                        lines.append(over)
                    }
                }
                if takeovers > 0 {
                    let times = try ClusterBenchmark.takeover(setup, repeats: takeovers)
                    lines.append(
                        String(format: "driver take-over after kill -9: median %.2f s", times[times.count / 2])
                            + " (\(times.map { String(format: "%.2f", $0) }.joined(separator: ", ")) s); Optuna has no driver to replace")
                }
                printNote(Self.loadLine("after"))
                print(lines.joined(separator: "\n"))
            }
        }

        /// Optuna's time for one case, on a new database of the same server.
        private func peerRun(_ setup: ClusterBenchmark.Setup, case name: String, workers: Int, threads: Int, trials: Int) throws -> ClusterBenchmark.Row {
            guard let optuna else { throw CLIError("--optuna is not set") }
            let url = try setup.createDatabase("optuna")
            printNote("optuna \(name): \(trials) trials, \(workers) process(es) × \(threads) thread(s)…")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: optuna.contains("/") ? optuna : "/usr/bin/env")
            process.arguments =
                (optuna.contains("/") ? [] : [optuna]) + [
                    optunaScript, "--url", url, "--case", name, "--workers", String(workers), "--threads", String(threads), "--trials",
                    String(trials), "--sleep-seconds", String(sleepSeconds),
                ]
            let pipe = Pipe()
            process.standardOutput = pipe
            do { try process.run() } catch { throw CLIError("--optuna: cannot start \(optuna): \(FileProblem.reason(error, path: optuna))") }
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0, let last = output.split(separator: "\n").last,
                let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], let seconds = object["seconds"] as? Double
            else { throw CLIError("--optuna: \(optunaScript) failed (exit \(process.terminationStatus)); does \(optuna) have optuna and psycopg2? Its output:\n\(output)") }
            let completed = object["completed"] as? Int ?? 0
            if completed != trials { printNote("note: optuna completed \(completed) of \(trials) trials") }
            return ClusterBenchmark.Row(label: name, workers: workers, slots: threads, trials: trials, seconds: seconds, floor: nil)
        }

        static func line(_ label: String, _ row: ClusterBenchmark.Row, _ peer: ClusterBenchmark.Row?) -> String {
            let forage = label.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %8d %6d | %14d %8.2f %9.0f", row.workers, row.slots, row.trials, row.seconds, row.trialsPerSecond)
            guard let peer else { return forage + " |" }
            return forage + String(format: " | %14d %8.2f %9.1f", peer.trials, peer.seconds, peer.trialsPerSecond)
        }

        static func loadLine(_ when: String) -> String {
            var load = [0.0, 0, 0]
            _ = getloadavg(&load, 3)
            return String(format: "load average \(when): %.2f %.2f %.2f", load[0], load[1], load[2])
        }
    }
}
