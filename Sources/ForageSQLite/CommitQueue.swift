import ForageStore
import Foundation
import GRDB

/// Group commit for the store's single writer, with fencing.
///
/// Operations are queued from any thread; one drain at a time runs on GRDB's writer queue and applies everything
/// queued so far in a single `BEGIN IMMEDIATE … COMMIT`. Only after the commit returns are the operations'
/// completions called, so nothing is ever reported done before it is durable. Under load, batches grow by
/// themselves; when idle, an awaited operation commits alone, at once. Operations nobody awaits (a trial's start,
/// its streamed reports) wait up to `lazyDelay` for company, so a short trial's start, reports and finish usually
/// share one transaction.
///
/// An operation made under an ownership lease carries its `Fence`: inside the batch's transaction the
/// experiment's epoch is read once, and operations whose lease was superseded are left out and fail with
/// `lostOwnership`, so a frozen or overtaken owner can never change the experiment. The queue's bookkeeping (who
/// drains, which error goes to whom) is ForageStore's `GroupCommit`, shared with the PostgreSQL backend.
final class CommitQueue: Sendable {
    typealias Operation = @Sendable (Database) throws -> Void
    typealias Fence = CommitFence

    private let writer: any DatabaseWriter
    private let ledger = GroupCommit<Operation>()
    /// How long an unawaited operation may wait for a batch.
    static let lazyDelay: DispatchTimeInterval = .milliseconds(20)

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Queues `operation` and returns once it is committed (or throws its error, or an earlier queued one's).
    ///
    /// When no batch is being written, the caller becomes the writer: it commits the queue on its own thread, which
    /// saves two thread hand-offs per commit when the store is not busy. Otherwise it waits for the running batch
    /// writer to pick its operation up.
    func commit(_ fence: Fence?, _ operation: @escaping Operation) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            guard ledger.enqueue(fence, operation, completion: { result in continuation.resume(with: result) }) else { return }
            writer.writeWithoutTransaction { db in drain(db) }
        }
    }

    /// Queues `operation` without waiting; it commits with the next batch, at the latest after `lazyDelay`. A
    /// failure is reported to the next awaited operation.
    func submit(_ fence: Fence?, _ operation: @escaping Operation) {
        guard ledger.enqueueLazily(fence, operation) else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.lazyDelay) { [self] in
            if ledger.startScheduledDrain() { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
        }
    }

    /// Returns once everything queued before this call is committed.
    func flush() async throws {
        try await commit(nil) { _ in }
    }

    /// Commits batches until the queue is empty. Runs on GRDB's serial writer queue.
    private func drain(_ db: Database) {
        while let batch = ledger.nextBatch() {
            ledger.complete(batch, with: apply(batch, db).map { result in result.mapError(SQLiteMessage.storeError) })
        }
    }

    /// One transaction for the whole batch; if it fails, each operation is retried alone so only the bad one fails.
    private func apply(_ batch: [GroupCommit<Operation>.Item], _ db: Database) -> [Result<Void, any Error>] {
        var results = [Result<Void, any Error>](repeating: .success(()), count: batch.count)
        do {
            try db.inTransaction(.immediate) {
                let refused = try Self.refusedFences(GroupCommit.fences(of: batch), db)
                for (index, item) in batch.enumerated() {
                    if let fence = item.fence, let error = refused[fence] {
                        results[index] = .failure(error)
                    } else {
                        try item.operation(db)
                    }
                }
                return .commit
            }
            return results
        } catch {
            if batch.count == 1 { return [.failure(error)] }
            return batch.map { item in
                Result {
                    try db.inTransaction(.immediate) {
                        if let fence = item.fence, let error = try Self.refusedFences([fence], db)[fence] { throw error }
                        try item.operation(db)
                        return .commit
                    }
                }
            }
        }
    }

    /// The fences among `fences` (distinct) whose epoch is no longer the experiment's, with the error to report.
    private static func refusedFences(_ fences: [Fence], _ db: Database) throws -> [Fence: StoreError] {
        guard !fences.isEmpty else { return [:] }
        var refused: [Fence: StoreError] = [:]
        let epochs = try db.cachedStatement(sql: "SELECT owner_epoch FROM experiments WHERE id = ?")
        for fence in fences {
            // The common case, one indexed integer read per batch; the details only when the fence fails.
            if try Int64.fetchOne(epochs, arguments: [fence.experiment]) == fence.epoch { continue }
            let row = try Row.fetchOne(
                db, sql: "SELECT name, owner_epoch, owner_pid, owner_host FROM experiments WHERE id = ?", arguments: [fence.experiment])
            if let row, let epoch: Int64 = row["owner_epoch"], epoch == fence.epoch { continue }
            refused[fence] = GroupCommit<Operation>.lostOwnership(
                experiment: fence.experiment, name: row.map { $0["name"] ?? "?" }, ownerPID: row?["owner_pid"], ownerHost: row?["owner_host"])
        }
        return refused
    }
}
