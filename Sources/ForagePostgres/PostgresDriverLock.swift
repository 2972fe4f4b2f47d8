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
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let (unlocked, unlockedSignal) = AsyncStream<Void>.makeStream()
        let lock = PostgresDriverLock(releaseSignal: releaseSignal, unlocked: unlocked)
        let answered = AnswerOnce()
        let key = Int32(truncatingIfNeeded: id)
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<PostgresDriverLock?, any Error>) in
            Task {
                defer { unlockedSignal.finish() }
                do {
                    try await database.withConnection { connection in
                        let got = try await connection.row(
                            "SELECT pg_try_advisory_lock(\(Self.namespace)::int4, \(key)::int4) AS got") { try $0.get("got", as: Bool.self) } ?? false
                        guard got else {
                            if answered.first() { answer.resume(returning: nil) }
                            return
                        }
                        if answered.first() { answer.resume(returning: lock) }
                        for await _ in release { break }
                        try? await connection.run("SELECT pg_advisory_unlock(\(Self.namespace)::int4, \(key)::int4)")
                    }
                } catch {
                    if answered.first() { answer.resume(throwing: error) }
                }
            }
        }
    }

    func release() async {
        releaseSignal.finish()
        for await _ in unlocked {}
    }
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
