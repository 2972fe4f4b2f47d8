import ArgumentParser
import ForageBackends
import ForageStore
import Foundation

extension Forage {
    /// `forage store …`: maintenance of the store itself.
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Maintain the store itself (migrate its schema).",
            subcommands: [Migrate.self])
    }
}

extension Forage.Store {
    /// `forage store migrate [--store DIR]`: brings an older store's schema up to this Forage's. Readers never
    /// migrate; writers (`run`, `resume`) do it on open; this command does it on purpose, and says what it did.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Migrate the store's schema to this Forage's version (readers never migrate; run and resume do).")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let location = storeOptions.location
                do {
                    _ = try storeOptions.open(.read)
                    print("the store at \(location) is up to date; nothing to migrate")
                } catch StoreError.needsMigration(_, let found, let current) {
                    _ = try storeOptions.open(.write)
                    print("migrated the store at \(location) from schema version \(found) to \(current)")
                }
            }
        }
    }
}
