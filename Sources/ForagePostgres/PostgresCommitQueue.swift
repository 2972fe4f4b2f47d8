import ForageStore
import Foundation
import PostgresNIO

/// Group commit with fencing for a PostgreSQL store, with the same guarantees as the SQLite store's queue.
///
/// Operations are queued from any task; one drain at a time applies everything queued so far in a single
/// transaction, and only after `COMMIT` returns are their completions called (nothing is reported done before it
/// is durable). An operation made under an ownership lease carries its fence: inside the transaction the
/// experiment row's epoch is read `FOR SHARE` (so a take-over, which updates that row, waits for this commit or
/// this commit sees it), and operations whose lease was superseded are left out and fail with `lostOwnership`. The
/// bookkeeping is ForageStore's `GroupCommit`, shared with the SQLite backend.
final class PostgresCommitQueue: Sendable {
    typealias Operation = @Sendable (PostgresConnection) async throws -> Void
    typealias Fence = CommitFence

    private let database: PostgresDatabase
    private let ledger = GroupCommit<Operation>()
    /// How long an unawaited operation may wait for company.
    static let lazyDelay: Duration = .milliseconds(20)

    init(database: PostgresDatabase) {
        self.database = database
    }

    /// Queues `operation` and returns once it is committed (or throws its error, or an earlier queued one's).
    func commit(_ fence: Fence?, _ operation: @escaping Operation) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if ledger.enqueue(fence, operation, completion: { continuation.resume(with: $0) }) { Task { await self.drain() } }
        }
    }

    /// Queues `operation` without waiting; it commits with the next batch, at the latest after `lazyDelay`.
    func submit(_ fence: Fence?, _ operation: @escaping Operation) {
        guard ledger.enqueueLazily(fence, operation) else { return }
        Task {
            try? await Task.sleep(for: Self.lazyDelay)
            if self.ledger.startScheduledDrain() { await self.drain() }
        }
    }

    /// Returns once everything queued before this call is committed.
    func flush() async throws {
        try await commit(nil) { _ in }
    }

    private func drain() async {
        while let batch = ledger.nextBatch() {
            PostgresDatabase.logger.trace("commit queue: applying a batch of \(batch.count)")
            ledger.complete(batch, with: await apply(batch).map { $0.mapError(PostgresMessage.storeError) })
            PostgresDatabase.logger.trace("commit queue: batch of \(batch.count) done")
        }
        PostgresDatabase.logger.trace("commit queue: drained")
    }

    /// One transaction for the whole batch; if it fails, each operation is retried alone so only the bad one fails.
    private func apply(_ batch: [GroupCommit<Operation>.Item]) async -> [Result<Void, any Error>] {
        do {
            return try await database.transaction { connection in
                let refused = try await Self.refusedFences(GroupCommit.fences(of: batch), connection)
                var results = [Result<Void, any Error>](repeating: .success(()), count: batch.count)
                for (index, item) in batch.enumerated() {
                    if let fence = item.fence, let error = refused[fence] {
                        results[index] = .failure(error)
                    } else {
                        try await item.operation(connection)
                    }
                }
                return results
            }
        } catch {
            if batch.count == 1 { return [.failure(error)] }
            var results: [Result<Void, any Error>] = []
            for item in batch {
                do {
                    try await database.transaction { connection in
                        if let fence = item.fence, let error = try await Self.refusedFences([fence], connection)[fence] { throw error }
                        try await item.operation(connection)
                    }
                    results.append(.success(()))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// The fences whose epoch is no longer the experiment's, with the error to report. The experiment row is read
    /// `FOR SHARE`, so a take-over (which updates it) waits for this transaction, or this one sees it.
    static func refusedFences(_ fences: [Fence], _ connection: PostgresConnection) async throws -> [Fence: StoreError] {
        var refused: [Fence: StoreError] = [:]
        for fence in fences {
            let row = try await connection.row(
                "SELECT name, owner_epoch, owner_pid, owner_host FROM experiments WHERE id = \(fence.experiment) FOR SHARE"
            ) { row in
                (try row.get("name", as: String.self), try row.get("owner_epoch", as: Int64.self), try row.get("owner_pid", as: Int32?.self),
                 try row.get("owner_host", as: String?.self))
            }
            if let row, row.1 == fence.epoch { continue }
            refused[fence] = GroupCommit<Operation>.lostOwnership(
                experiment: fence.experiment, name: row?.0, ownerPID: row?.2, ownerHost: row?.3)
        }
        return refused
    }
}
