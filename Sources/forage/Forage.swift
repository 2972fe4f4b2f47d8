import ArgumentParser
import ForageCore
import Foundation

/// The `forage` command: hyperparameter search and AutoML experiments from a YAML spec.
@main
struct Forage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forage",
        abstract: "Hyperparameter search and AutoML experiments, stored in SQLite, resumable after any crash.",
        version: ForageVersion.current,
        subcommands: [
            Run.self, Resume.self, Status.self, Trials.self, Leaderboard.self, Promote.self, Models.self, Serve.self, Dashboard.self, Worker.self,
            Predict.self, Bench.self, Delete.self, Rename.self, Tag.self, Store.self, Drift.self, Pipeline.self,
            Ask.self, Tell.self, Export.self, Import.self, RefitCommand.self,
            Enqueue.self,
            Launch.self,
        ]
    )

    /// ArgumentParser's own errors (an unknown option, a bad value) read like Forage's: `error: …`, then the usage.
    static var _errorPrefix: String { "error: " }

    /// Parses and runs a command like ArgumentParser's own `main`, but writes its errors in Forage's words.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let text = ArgumentErrorText.forage(fullMessage(for: error))
            if !text.isEmpty {
                if code == .success {
                    print(text)
                } else {
                    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// ArgumentParser's messages in Forage's style.
enum ArgumentErrorText {
    /// `error: Unknown option '--paralel'. Did you mean '--parallel'?` → `error: unknown option '--paralel' (did you
    /// mean '--parallel'?)`: the first word is lowercased unless it is an acronym or an option, and the suggestion
    /// goes in parentheses as in spec errors. Other text (help, usage) is unchanged.
    static func forage(_ text: String) -> String {
        let prefix = "error: "
        guard text.hasPrefix(prefix) else { return text }
        var rest = String(text.dropFirst(prefix.count))
        if let first = rest.first, first.isUppercase, let second = rest.dropFirst().first, second.isLowercase {
            rest = first.lowercased() + rest.dropFirst()
        }
        if let hint = rest.range(of: ". Did you mean ") {
            let end = rest[hint.upperBound...].firstIndex(of: "\n") ?? rest.endIndex
            let suggestion = rest[hint.upperBound..<end]
            rest = rest[..<hint.lowerBound] + " (did you mean " + suggestion + ")" + rest[end...]
        }
        return prefix + rest
    }
}
