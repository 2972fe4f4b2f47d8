import ForagePostgres
import ForageSQLite
import ForageStore
import Foundation

/// An open store: its experiments, its model registry and its file layout, behind the backend-neutral protocols.
public struct OpenStore: Sendable {
    public let experiments: any ExperimentStore
    public let registry: any ModelRegistry
    public var layout: StoreLayout { experiments.layout }

    public init(experiments: any ExperimentStore, registry: any ModelRegistry) {
        self.experiments = experiments
        self.registry = registry
    }
}

/// The one place that turns a store location (`--store`, `$FORAGE_STORE`) into a backend.
///
/// A folder path is a SQLite store (`forage.sqlite` inside it); a `postgres://` or `postgresql://` URL is a
/// PostgreSQL store. Every other module sees only the protocols.
public enum StoreFactory {
    /// How the caller will use the store.
    public enum Access: Sendable {
        /// Readers (`status`, `trials`, `leaderboard`, `models`, `predict`, `serve`, `dashboard`): nothing is written.
        case read
        /// Writers of an existing store (`resume`, `promote`, alias moves).
        case write
        /// Writers that may create the store (`run`).
        case create
    }

    /// Opens the store at `location` (a folder or a PostgreSQL URL) for `access`. A PostgreSQL store is
    /// checked to be at this Forage's schema (only `forage store migrate` migrates one that exists); its trial
    /// folders go under `files` (default: `$FORAGE_FILES`, else `.forage` in the current folder).
    public static func connect(_ location: String, access: Access, files: URL? = nil) async throws -> OpenStore {
        guard PostgresLocation.isPostgres(location) else { return try open(location, access: access) }
        let folder = files ?? defaultFilesFolder
        let opened = try await PostgresStores.open(location, readOnly: access == .read, create: access == .create, files: folder)
        return OpenStore(experiments: opened.experiments, registry: opened.registry)
    }

    /// Where a PostgreSQL store's trial folders go on this machine.
    public static var defaultFilesFolder: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["FORAGE_FILES"] ?? ".forage")
    }

    /// Whether `location` names a store on a database server rather than a folder.
    public static func isServer(_ location: String) -> Bool {
        PostgresLocation.isPostgres(location)
    }

    /// A store location as messages show it (a URL without its password).
    public static func displayName(_ location: String) throws -> String {
        PostgresLocation.isPostgres(location) ? try PostgresLocation(parsing: location).display : location
    }

    /// Brings the store's schema up to this Forage's (`forage store migrate`); returns the migrations applied.
    public static func migrate(_ location: String) async throws -> [String] {
        if PostgresLocation.isPostgres(location) { return try await PostgresStores.migrate(location) }
        _ = try open(location, access: .write)
        return []
    }

    /// Opens the SQLite store in the folder `location` for `access` (a URL is refused: use `connect`).
    public static func open(_ location: String, access: Access) throws -> OpenStore {
        if PostgresLocation.isPostgres(location) {
            throw StoreError.notAStore(path: location, reason: "a PostgreSQL store must be opened with StoreFactory.connect")
        }
        if let scheme = location.split(separator: ":", maxSplits: 1).first, location.contains("://") {
            throw StoreError.notAStore(
                path: location, reason: "'\(scheme)' stores are not supported; --store takes a folder (a SQLite store) or a postgres:// URL")
        }
        let directory = URL(fileURLWithPath: location)
        let store: SQLiteExperimentStore
        switch access {
        case .read: store = try SQLiteExperimentStore(directory: directory, access: .readOnly)
        case .write: store = try SQLiteExperimentStore(directory: directory, access: .readWrite)
        case .create: store = try SQLiteExperimentStore(directory: directory, access: .create)
        }
        return OpenStore(experiments: store, registry: SQLiteModelRegistry(store: store))
    }

    /// A store in memory whose trial files go under `folder` (tests, benchmarks).
    public static func inMemory(files folder: URL) throws -> OpenStore {
        let store = try SQLiteExperimentStore(inMemoryWith: StoreLayout(root: folder))
        return OpenStore(experiments: store, registry: SQLiteModelRegistry(store: store))
    }
}
