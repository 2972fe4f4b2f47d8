import ForageTesting
import Foundation
import Testing

/// ArgumentParser's errors read like Forage's own: `error: …` with the usage, and a non-zero exit.
@Suite struct ArgumentErrorTests {
    @Test(arguments: [
        (["run"], "error: missing expected argument '<spec>'"),
        (["run", "s.yaml", "--paralel", "2"], "error: unknown option '--paralel' (did you mean '--parallel'?)\n"),
        (["run", "s.yaml", "--parallel", "-2"], "error: --parallel must be a non-negative integer"),
        (["run", "s.yaml", "--parallel", "two"], "error: the value 'two' is invalid for '--parallel <parallel>'"),
        (["run", "s.yaml", "--trials", "-3"], "error: --trials must be a positive integer"),
        (["resume", "x", "--parallel", "-1"], "error: --parallel must be a non-negative integer"),
        (["leaderboard", "x", "--top", "-1"], "error: --top must be a positive integer"),
        (["trials", "x", "--format", "html"], "error: the value 'html' is invalid for '--format <format>'"),
        (["frobnicate"], "error: unexpected argument 'frobnicate'"),
        (["promote", "x", "--trial", "-1", "--model", "m"], "error: --trial must be a trial number (a non-negative integer), got -1"),
    ])
    func argumentErrorsAreLowercaseWithUsage(arguments: [String], start: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try ForageProcess.run(arguments, in: directory.url)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix(start), "\(result.stderr)")
        #expect(!result.stderr.contains("Error:"), "\(result.stderr)")
        #expect(!result.stderr.contains("Missing value"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: forage"), "\(result.stderr)")
    }

    @Test func helpListsOnlyTheFormatsEachCommandAccepts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let trials = try ForageProcess.run(["trials", "--help"], in: directory.url)
        #expect(trials.status == 0)
        #expect(trials.stdout.contains("table, csv, json"), "\(trials.stdout)")
        #expect(!trials.stdout.contains("markdown") && !trials.stdout.contains("html"), "\(trials.stdout)")
        let status = try ForageProcess.run(["status", "--help"], in: directory.url)
        #expect(!status.stdout.contains("csv") && !status.stdout.contains("markdown"), "\(status.stdout)")
        let leaderboard = try ForageProcess.run(["leaderboard", "--help"], in: directory.url)
        #expect(leaderboard.stdout.contains("markdown") && leaderboard.stdout.contains("html"), "\(leaderboard.stdout)")
    }
}
