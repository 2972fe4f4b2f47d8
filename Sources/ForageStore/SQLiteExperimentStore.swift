import ForageCore
import Foundation
import GRDB

/// The SQLite experiment store of DESIGN §6: one file (`forage.sqlite` in the store folder), WAL mode, one writer
/// with group commit, readers that never block it.
public final class SQLiteExperimentStore: Sendable {
    /// The store folder (holding `forage.sqlite`, `trials/`, `blobs/`).
    public let directory: URL
    /// The connection pool, shared with the model registry (same file, same single writer queue).
    package let pool: DatabasePool
    let commits: CommitQueue

    /// The database file inside a store folder.
    public static func databaseURL(in directory: URL) -> URL {
        directory.appendingPathComponent("forage.sqlite")
    }

    /// Opens the store in `directory`, creating it (folder, file, WAL mode, schema) when `create` is true.
    /// Creation happens under a file lock, so two processes starting at once cannot race on the journal mode.
    public init(directory: URL, create: Bool) throws {
        self.directory = directory
        let file = Self.databaseURL(in: directory)
        let exists = FileManager.default.fileExists(atPath: file.path)
        if !exists && !create { throw StoreError.noStore(path: directory.path) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.foreignKeysEnabled = true
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            let lock = try FileLock(path: directory.appendingPathComponent(".forage.lock").path)
            pool = try lock.withLock {
                let pool = try DatabasePool(path: file.path, configuration: configuration)
                try pool.write { db in
                    if try Schema.migrator.hasBeenSuperseded(db) { throw StoreError.newerSchema(path: directory.path) }
                }
                try Schema.migrator.migrate(pool)
                return pool
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database("cannot open \(file.path): \(error)")
        }
        commits = CommitQueue(writer: pool)
    }

    /// Runs a read in a short read transaction that never blocks the writer.
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors { try pool.read(body) }
    }

    /// Runs one write transaction now (not batched): for rare operations such as creating an experiment.
    package func write<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors { try pool.write(body) }
    }

    /// Passes `StoreError`s through and wraps any other database error in one.
    private static func mappingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database("\(error)")
        }
    }

    /// Returns once every write queued so far is committed.
    public func flush() async throws {
        try await commits.flush()
    }
}

/// An advisory lock on a file (flock), held while a store is created or migrated.
struct FileLock {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw StoreError.database("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
    }

    func withLock<T>(_ body: () throws -> T) throws -> T {
        flock(descriptor, LOCK_EX)
        defer {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
        return try body()
    }
}
