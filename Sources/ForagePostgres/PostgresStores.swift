import ForageStore
import Foundation

/// Opens PostgreSQL stores: checks the schema (readers and writers alike never migrate) and hands out the
/// experiment store and registry over one connection pool.
public enum PostgresStores {
    /// An open PostgreSQL store.
    public struct Opened: Sendable {
        public let experiments: PostgresExperimentStore
        public let registry: PostgresModelRegistry
        public let database: PostgresDatabase
    }

    /// Opens the store at `url`. `create` makes the schema in an empty database (the first `forage run`); an
    /// existing store whose schema is older is refused with the `forage store migrate` advice, as is one from a
    /// newer Forage. Trial folders go under `files`.
    public static func open(_ url: String, readOnly: Bool, create: Bool, files: URL) async throws -> Opened {
        let location = try PostgresLocation(parsing: url)
        let database = PostgresDatabase(location)
        if create, try await PostgresSchema.applied(database) == nil {
            try await PostgresSchema.migrate(database)
        }
        try await PostgresSchema.check(database)
        let layout = StoreLayout(root: files)
        return Opened(
            experiments: PostgresExperimentStore(database: database, layout: layout, readOnly: readOnly),
            registry: PostgresModelRegistry(database: database, readOnly: readOnly), database: database)
    }

    /// Applies the migrations the database lacks (`forage store migrate URL`); returns their numbers and names.
    public static func migrate(_ url: String) async throws -> [String] {
        let database = PostgresDatabase(try PostgresLocation(parsing: url))
        let applied = try await PostgresSchema.migrate(database)
        return PostgresSchema.migrations.filter { applied.contains($0.number) }.map { "\($0.number)-\($0.name)" }
    }
}
