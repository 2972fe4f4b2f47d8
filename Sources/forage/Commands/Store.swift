import ArgumentParser
import ForageBackends
import ForageStore
import Foundation

extension Forage {
    /// `forage store …`: maintenance of the store itself.
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Maintain the store itself (migrate its schema).",
            subcommands: [Migrate.self, Copy.self])
    }
}

extension Forage.Store {
    /// `forage store migrate [URL] [--store DIR]`: brings an older store's schema up to this Forage's. Readers never
    /// migrate; writers of a SQLite store (`run`, `resume`) do it on open; a PostgreSQL store, shared by running
    /// searches, is migrated by this command only. It says what it did.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Migrate the store's schema to this Forage's version (readers never migrate; run and resume do).")

        @Argument(help: "The store (a folder or a postgres:// URL; default: --store).")
        var store: String?

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let location = store ?? storeOptions.location
                if StoreFactory.isServer(location) {
                    let applied = try await StoreFactory.migrate(location)
                    let shown = try StoreFactory.displayName(location)
                    print(applied.isEmpty ? "the store at \(shown) is up to date; nothing to migrate" : "migrated the store at \(shown): \(applied.joined(separator: ", "))")
                    return
                }
                do {
                    _ = try StoreFactory.open(location, access: .read)
                    print("the store at \(location) is up to date; nothing to migrate")
                } catch StoreError.needsMigration(_, let found, let current) {
                    _ = try StoreFactory.open(location, access: .write)
                    print("migrated the store at \(location) from schema version \(found) to \(current)")
                }
            }
        }
    }
}

extension Forage.Store {
    /// `forage store copy FROM TO`: every experiment and the registry, between any two stores.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every experiment and the model registry from one store to another (a folder or a postgres:// URL), verified.")

        @Argument(help: "The store to copy from (read only).")
        var from: String

        @Argument(help: "The store to copy into (created if it is a missing folder or an empty database).")
        var to: String

        func run() async throws {
            try await reportingErrors {
                let source = try await StoreFactory.connect(from, access: .read)
                let destination = try await StoreFactory.connect(to, access: .create)
                let summary = try await StoreCopier(from: source, to: destination).copy()
                print(
                    "copied \(summary.experiments) experiment\(summary.experiments == 1 ? "" : "s") (\(summary.trials) trials) and "
                        + "\(summary.models) model\(summary.models == 1 ? "" : "s") (\(summary.versions) versions, \(summary.blobs) blobs) "
                        + "to \(try StoreFactory.displayName(to)); counts and blob hashes verified")
            }
        }
    }
}
