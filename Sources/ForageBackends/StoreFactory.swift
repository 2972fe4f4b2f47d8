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
/// A folder path is a SQLite store (`forage.sqlite` inside it). Every other module sees only the protocols.
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

    /// Opens the store at `location` for `access`.
    public static func open(_ location: String, access: Access) throws -> OpenStore {
        if let scheme = location.split(separator: ":", maxSplits: 1).first, location.contains("://") {
            throw StoreError.notAStore(
                path: location, reason: "'\(scheme)' stores are not supported by this Forage; --store takes a folder (a SQLite store)")
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
