import ArgumentParser
import ForageEngine
import Foundation

extension Forage {
    /// `forage bench …`: release-build benchmarks that print their figures.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmarks (build with -c release for meaningful numbers).", subcommands: [Overhead.self])

        /// `forage bench overhead`: trials/s with every trial committed, and the leaderboard query time.
        struct Overhead: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Orchestration overhead: noop trials/s with 1 and 2 slots and with 50 reports per trial; leaderboard query time.")

            @Option(help: "Multiply the trial counts (0.1 for a quick look).")
            var scale: Double = 1

            @Option(help: "Trials in the store used for the leaderboard query.")
            var leaderboardTrials: Int = 100_000

            func run() async throws {
                try await reportingErrors {
                    #if DEBUG
                    printNote("note: this is a debug build; build with `swift build -c release` for real figures")
                    #endif
                    let result = try await OverheadBenchmark.run(scale: scale, leaderboardTrials: leaderboardTrials) { printNote($0) }
                    print(result.table())
                }
            }
        }
    }
}
