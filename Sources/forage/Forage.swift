import ArgumentParser
import ForageCore

/// The `forage` command: hyperparameter search and AutoML experiments from a YAML spec.
@main
struct Forage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forage",
        abstract: "Hyperparameter search and AutoML experiments, stored in SQLite, resumable after any crash.",
        version: ForageVersion.current,
        subcommands: [
            Run.self, Resume.self, Status.self, Trials.self, Leaderboard.self, Promote.self, Models.self, Serve.self, Dashboard.self, Worker.self,
            Predict.self, Bench.self,
        ]
    )

    /// ArgumentParser's own errors (an unknown option, a bad value) read like Forage's: `error: …`, then the usage.
    static var _errorPrefix: String { "error: " }
}
