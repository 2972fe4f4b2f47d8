import ArgumentParser
import ForageStore
import Foundation

extension Forage {
    /// `forage delete NAME`: remove an experiment and its trial folders.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an experiment with its trials and trial folders (registry versions keep their lineage and blobs).")

        @Argument(help: "The experiment's name.")
        var name: String

        @Flag(help: "Delete without asking.")
        var yes = false

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = (try await storeOptions.open(.write)).experiments
                let experiment = try await store.requireExperiment(name)
                let counts = try await store.counts(experiment: experiment.id)
                if !yes {
                    guard isatty(STDIN_FILENO) == 1 else {
                        throw CLIError("refusing to delete '\(name)' (\(counts.finished) trials) without confirmation; pass --yes")
                    }
                    FileHandle.standardError.write(Data("delete experiment '\(name)' and its \(counts.finished) trials? [y/N] ".utf8))
                    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                        printNote("nothing deleted")
                        return
                    }
                }
                try await store.deleteExperiment(named: name)
                print("deleted experiment \(name) (\(counts.finished) trials)")
            }
        }
    }

    /// `forage rename OLD NEW`.
    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename an experiment (its trial folders move with it).")

        @Argument(help: "The experiment's current name.")
        var name: String

        @Argument(help: "Its new name.")
        var newName: String

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                try await (try await storeOptions.open(.write)).experiments.renameExperiment(name, to: newName)
                print("renamed experiment \(name) to \(newName)")
            }
        }
    }

    /// `forage tag NAME KEY=VALUE… [--remove KEY]`.
    struct Tag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set or remove an experiment's tags (find them with `status --tag`).")

        @Argument(help: "The experiment's name.")
        var name: String

        @Argument(help: "Tags to set, as KEY=VALUE.")
        var tags: [String] = []

        @Option(help: "A tag to remove (repeatable).")
        var remove: [String] = []

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            _ = try TagArguments.parse(tags)
            if tags.isEmpty && remove.isEmpty { throw ValidationError("give at least one KEY=VALUE to set or --remove KEY") }
        }

        func run() async throws {
            try await reportingErrors {
                var changes: [String: String?] = try TagArguments.parse(tags)
                for key in remove { changes[key] = .some(nil) }
                let record = try await (try await storeOptions.open(.write)).experiments.tagExperiment(name, changes)
                print("\(name): " + (record.tags.isEmpty ? "no tags" : TagArguments.text(record.tags)))
            }
        }
    }
}

/// `KEY=VALUE` tag arguments.
enum TagArguments {
    /// Parses `KEY=VALUE` pairs; a key must be a plain word, the value any text.
    static func parse(_ arguments: [String]) throws -> [String: String?] {
        var tags: [String: String?] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("tag '\(argument)' is not KEY=VALUE")
            }
            let key = String(argument[..<equals])
            guard key.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }) else {
                throw ValidationError("tag key '\(key)' may hold only letters, digits, '-', '_' and '.'")
            }
            tags[key] = String(argument[argument.index(after: equals)...])
        }
        return tags
    }

    /// `a=1 b=2`, sorted by key.
    static func text(_ tags: [String: String]) -> String {
        tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
