import ForageStore
import Foundation
import PostgresNIO

/// An experiment's driver lock: a session-level PostgreSQL advisory lock, held on one connection of the pool for
/// as long as the driver drives. When the process dies its connection closes and the server releases the lock, so
/// another process can take the driver's role over at once.
final class PostgresDriverLock: DriverLock {
    private let lease: PostgresLease
    private let key: Int32

    private init(lease: PostgresLease, key: Int32) {
        self.lease = lease
        self.key = key
    }

    /// The two-key advisory lock namespace of driver locks (`For` in ASCII); the second key is the experiment id.
    static let namespace: Int32 = 0x466f72

    /// Takes the lock of experiment `id` without waiting, or returns nil when another session holds it.
    static func take(_ database: PostgresDatabase, experiment id: Int64) async throws -> PostgresDriverLock? {
        let key = Int32(truncatingIfNeeded: id)
        // A session lost before the lock was taken is tried again on a fresh one.
        do {
            return try await database.retry.run { _ in
                let lease = try await PostgresLease.take(from: database.client)
                let got = try await lease.connection.row(
                    "SELECT pg_try_advisory_lock(\(Self.namespace)::int4, \(key)::int4) AS got") { try $0.get("got", as: Bool.self) } ?? false
                guard got else {
                    lease.release()
                    return nil
                }
                return PostgresDriverLock(lease: lease, key: key)
            }
        } catch {
            throw PostgresMessage.storeError(error)
        }
    }

    /// Releases the lock and gives its connection back; waits for the unlock at most `releaseWait` (a session the
    /// server ended, or one the network lost, holds no lock, or soon none).
    func release() async {
        let (connection, key) = (lease.connection, key)
        if !connection.isClosed {
            let unlock = Task { _ = try? await connection.run("SELECT pg_advisory_unlock(\(Self.namespace)::int4, \(key)::int4)") }
            await Self.wait(for: unlock, atMost: Self.releaseWait)
        }
        lease.release()
    }

    static let releaseWait: Duration = .seconds(3)

    /// Returns once `task` ends or `bound` has passed, whichever comes first (the task is not awaited past it).
    private static func wait(for task: Task<Void, Never>, atMost bound: Duration) async {
        let once = ResumeOnce<Void>()
        try? await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            once.set(continuation)
            Task {
                await task.value
                once.resume(.success(()))
            }
            Task {
                try? await Task.sleep(for: bound)
                once.resume(.success(()))
            }
        }
    }
}
