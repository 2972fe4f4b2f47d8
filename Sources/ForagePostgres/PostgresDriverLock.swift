import ForageStore
import Foundation
import PostgresNIO
import Synchronization

/// An experiment's driver lock: a session-level PostgreSQL advisory lock, held on one connection of the pool for
/// as long as the driver drives. When the process dies its connection closes and the server releases the lock, so
/// another process can take the driver's role over at once.
final class PostgresDriverLock: DriverLock {
    private let releaseSignal: AsyncStream<Void>.Continuation
    private let unlocked: AsyncStream<Void>

    private init(releaseSignal: AsyncStream<Void>.Continuation, unlocked: AsyncStream<Void>) {
        self.releaseSignal = releaseSignal
        self.unlocked = unlocked
    }

    /// The two-key advisory lock namespace of driver locks (`For` in ASCII); the second key is the experiment id.
    static let namespace: Int32 = 0x466f72

    /// Takes the lock of experiment `id` without waiting, or returns nil when another session holds it.
    static func take(_ database: PostgresDatabase, experiment id: Int64) async throws -> PostgresDriverLock? {
        // A session lost before the lock was taken is tried again on a fresh one.
        do {
            return try await database.retry.run { _ in try await takeOnce(database, experiment: id) }
        } catch {
            throw PostgresMessage.storeError(error)
        }
    }

    private static func takeOnce(_ database: PostgresDatabase, experiment id: Int64) async throws -> PostgresDriverLock? {
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let (unlocked, unlockedSignal) = AsyncStream<Void>.makeStream()
        let lock = PostgresDriverLock(releaseSignal: releaseSignal, unlocked: unlocked)
        let answered = AnswerOnce()
        let key = Int32(truncatingIfNeeded: id)
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<PostgresDriverLock?, any Error>) in
            Task {
                defer { unlockedSignal.finish() }
                do {
                    try await database.client.withConnection { connection in
                        let got = try await connection.row(
                            "SELECT pg_try_advisory_lock(\(Self.namespace)::int4, \(key)::int4) AS got") { try $0.get("got", as: Bool.self) } ?? false
                        guard got else {
                            if answered.first() { answer.resume(returning: nil) }
                            return
                        }
                        if answered.first() { answer.resume(returning: lock) }
                        for await _ in release { break }
                        // A session the server ended (a restart, `pg_terminate_backend`) already lost the lock.
                        guard !connection.isClosed else { return }
                        try? await connection.run("SELECT pg_advisory_unlock(\(Self.namespace)::int4, \(key)::int4)")
                    }
                } catch {
                    if answered.first() { answer.resume(throwing: error) }
                }
            }
        }
    }

    /// Releases the lock; waits for the unlock at most `releaseWait` (a session that is gone holds no lock).
    func release() async {
        releaseSignal.finish()
        let unlocked = self.unlocked
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in unlocked {} }
            group.addTask { try? await Task.sleep(for: Self.releaseWait) }
            await group.next()
            group.cancelAll()
        }
    }

    static let releaseWait: Duration = .seconds(3)
}

/// Lets exactly one of several paths answer a continuation.
private final class AnswerOnce: Sendable {
    private let answered = Mutex(false)

    func first() -> Bool {
        answered.withLock { was in
            defer { was = true }
            return !was
        }
    }
}
