import ForageCore
import ForageStore
import Foundation
import GRDB

/// The SQLite experiment store of DESIGN §6: one file (`forage.sqlite` in the store folder), WAL mode, one writer
/// with group commit, readers that never block it.
///
/// Opened `.readOnly`, it is a pure reader: no lock file, no write transaction, no migration, so it works on a
/// read-only file system, as a user who cannot write the store, and while another process holds a write lock.
public final class SQLiteExperimentStore: ExperimentStore {
    /// How a store is opened.
    public enum Access: Sendable {
        /// Reads only; the store must exist and be at this Forage's schema version.
        case readOnly
        /// Reads and writes an existing store (migrating it forward).
        case readWrite
        /// Reads and writes, creating the store (folder, file, WAL mode, schema) when missing.
        case create
    }

    public let layout: StoreLayout
    public var location: String { layout.root.path }
    /// The store folder (holding `forage.sqlite`, `trials/`, `blobs/`).
    public var directory: URL { layout.root }
    let reader: any DatabaseReader
    let writer: (any DatabaseWriter)?
    let commits: CommitQueue?
    /// The database file and its identity when opened, to notice it being removed or replaced underneath.
    let file: StoreFile?

    /// Bytes of the database file read through memory mapping rather than `read` calls (a listing of a million
    /// trials spent a tenth of its time copying pages from the kernel). Mapped pages count in a process's resident
    /// size, so the window is kept small.
    static let mmapSize = 64 << 20

    /// The database file inside a store folder.
    public static func databaseURL(in directory: URL) -> URL {
        directory.appendingPathComponent("forage.sqlite")
    }

    /// Opens the store in `directory`. Creation and migration happen under a file lock, so two processes starting
    /// at once cannot race on the journal mode.
    public init(directory: URL, access: Access) throws {
        layout = StoreLayout(root: directory)
        let url = Self.databaseURL(in: directory)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw StoreError.notAStore(path: directory.path, reason: "it is a file, not a folder (--store names the store's folder)")
        }
        let exists = FileManager.default.fileExists(atPath: url.path)
        if !exists && access != .create { throw StoreError.noStore(path: directory.path) }
        switch access {
        case .readOnly:
            let pool = try Self.openReader(url, directory: directory)
            reader = pool
            writer = nil
            commits = nil
        case .readWrite, .create:
            let pool = try Self.openWriter(url, directory: directory)
            reader = pool
            writer = pool
            commits = CommitQueue(writer: pool)
        }
        file = StoreFile(path: url.path)
    }

    /// An in-memory store (for tests and the contract suite); its trial files go under `layout`.
    public init(inMemoryWith layout: StoreLayout) throws {
        self.layout = layout
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            let queue = try DatabaseQueue(configuration: configuration)
            try Schema.migrator.migrate(queue)
            reader = queue
            writer = queue
            commits = CommitQueue(writer: queue)
        } catch {
            throw StoreError.database("cannot create an in-memory store: \(error)")
        }
        file = nil
    }

    private static func openWriter(_ url: URL, directory: URL) throws -> DatabasePool {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.notAStore(path: directory.path, reason: "cannot create the folder (\(FileProblem.reason(error, path: directory.path)))")
        }
        let lockPath = directory.appendingPathComponent(".forage.lock").path
        let lock = try FileLock(path: lockPath)
        return try lock.withLock {
            do {
                var configuration = Configuration()
                configuration.busyMode = .timeout(10)
                configuration.foreignKeysEnabled = true
                configuration.prepareDatabase { db in
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                    // After each checkpoint the WAL is cut back to 8 MB, so a long search watched by readers (the
                    // dashboard, a server) keeps a bounded WAL.
                    try db.execute(sql: "PRAGMA journal_size_limit = 8388608")
                    try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapSize)")
                }
                let pool = try DatabasePool(path: url.path, configuration: configuration)
                // Checked in a read, which another process's open write transaction does not block (a frozen owner
                // may hold one): the write lock is only needed when there is something to migrate.
                let (superseded, migrated) = try pool.read { db in
                    (try Schema.migrator.hasBeenSuperseded(db), try Schema.migrator.hasCompletedMigrations(db))
                }
                if superseded { throw StoreError.newerSchema(path: directory.path) }
                if !migrated { try Schema.migrator.migrate(pool) }
                return pool
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.database("cannot open \(url.path): \(SQLiteMessage.of(error))")
            }
        }
    }

    /// A read-only pool. When SQLite cannot open the WAL's shared memory (a store folder this user cannot write,
    /// after its writer closed cleanly), the file is opened as immutable: there is no WAL to miss then.
    private static func openReader(_ url: URL, directory: URL) throws -> any DatabaseReader {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(2)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapSize)")
        }
        do {
            let pool = try DatabasePool(path: url.path, configuration: configuration)
            try checkSchema(pool, directory: directory)
            return pool
        } catch let error as StoreError {
            throw error
        } catch {
            let wal = url.path + "-wal"
            let walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            guard walSize == 0, !FileManager.default.isWritableFile(atPath: directory.path) else {
                throw StoreError.database("cannot read \(url.path): \(SQLiteMessage.of(error))")
            }
            do {
                let immutable = "file:\(url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? url.path)?immutable=1"
                let queue = try DatabaseQueue(path: immutable, configuration: configuration)
                try checkSchema(queue, directory: directory)
                return queue
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.database("cannot read \(url.path): \(SQLiteMessage.of(error))")
            }
        }
    }

    /// Refuses a store from a newer Forage, and one an older Forage left that needs migrating (readers never migrate).
    private static func checkSchema(_ reader: any DatabaseReader, directory: URL) throws {
        let applied = try reader.read { db -> Set<String> in
            guard try db.tableExists("grdb_migrations") else { return [] }
            return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        let known = Set(Schema.migrator.migrations)
        if !applied.isSubset(of: known) { throw StoreError.newerSchema(path: directory.path) }
        if applied.count < known.count {
            throw StoreError.needsMigration(path: directory.path, found: applied.count, current: known.count)
        }
    }

    /// The commit queue, or `readOnly` for a store opened for reading.
    func queue() throws -> CommitQueue {
        guard let commits else { throw StoreError.readOnly(path: location) }
        return commits
    }

    /// Runs a read in a short read transaction that never blocks the writer.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await reader.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(SQLiteMessage.of(error))
        }
    }

    /// Runs one write transaction now (not batched): for rare operations such as creating an experiment.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let writer else { throw StoreError.readOnly(path: location) }
        do {
            try file?.verify()
            return try await writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(SQLiteMessage.of(error))
        }
    }

    public func flush() async throws {
        try await queue().flush()
        try file?.verify()
    }
}

/// The database file a store opened, by device and inode: a file removed or replaced underneath the process is
/// noticed, since SQLite itself would go on writing to the unlinked file.
struct StoreFile: Sendable {
    let path: String
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        guard let identity = Self.identity(path) else { return nil }
        self.path = path
        device = identity.device
        inode = identity.inode
    }

    /// Throws `fileReplaced` unless the path still names the file that was opened.
    func verify() throws(StoreError) {
        guard let now = Self.identity(path), now.device == device, now.inode == inode else { throw .fileReplaced(path: path) }
    }

    private static func identity(_ path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }
}

/// An advisory lock on a file (flock), held while a store is created or migrated.
struct FileLock {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw StoreError.notAStore(path: path, reason: "cannot open the store's lock file for writing (\(String(cString: strerror(errno))))")
        }
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

/// SQLite's own words for an error (`database or disk is full`), without GRDB's wrapping of the statement.
enum SQLiteMessage {
    /// A `StoreError` for any error (SQLite's are described in its own words).
    @Sendable static func storeError(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        return StoreError.database(of(error))
    }

    static func of(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        if let error = error as? StoreError { return error.description }
        return FileProblem.reason(error, path: "")
    }
}
