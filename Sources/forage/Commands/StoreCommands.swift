import ArgumentParser
import ForageBackends
import ForageStore
import Foundation

extension Forage {
    /// `forage store …`: maintenance of a store itself.
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Maintain a store: migrate its schema.", subcommands: [Migrate.self])

        /// `forage store migrate [URL]`: the only command that migrates a PostgreSQL store that exists.
        struct Migrate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Bring a store's schema up to this Forage's (a PostgreSQL store is never migrated implicitly).")

            @Argument(help: "The store (a folder or a postgres:// URL; default: --store).")
            var location: String?

            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await reportingErrors {
                    let target = location ?? storeOptions.location
                    let applied = try await StoreFactory.migrate(target)
                    let shown = StoreFactory.isServer(target) ? (try? StoreFactory.displayName(target)) ?? target : target
                    print(applied.isEmpty ? "\(shown) is up to date" : "migrated \(shown): \(applied.joined(separator: ", "))")
                }
            }
        }
    }
}
