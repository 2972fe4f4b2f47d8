import ForageStore
import Foundation
import GRDB
import Synchronization

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
/// `lostOwnership`, so a frozen or overtaken owner can never change the experiment.
final class CommitQueue: Sendable {
    typealias Operation = @Sendable (Database) throws -> Void
    typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    /// The epoch an operation's owner holds.
    struct Fence: Sendable, Hashable {
        var experiment: Int64
        var epoch: Int64

        init(_ lease: OwnerLease) {
            experiment = lease.experiment
            epoch = lease.epoch
        }
    }

    private struct Item {
        var fence: Fence?
        var operation: Operation
        var completion: Completion?
    }

    private struct Pending {
        var items: [Item] = []
        var draining = false
        var flushScheduled = false
        /// Errors from fire-and-forget operations, by fence, handed to the next awaited operation of that fence.
        var deferred: [Fence?: any Error] = [:]
    }

    private let writer: any DatabaseWriter
    private let state = Mutex(Pending())
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
            let lead = state.withLock { pending -> Bool in
                pending.items.append(Item(fence: fence, operation: operation, completion: { result in continuation.resume(with: result) }))
                if pending.draining { return false }
                pending.draining = true
                return true
            }
            guard lead else { return }
            writer.writeWithoutTransaction { db in drain(db) }
        }
    }

    /// Queues `operation` without waiting; it commits with the next batch, at the latest after `lazyDelay`. A
    /// failure is reported to the next awaited operation.
    func submit(_ fence: Fence?, _ operation: @escaping Operation) {
        let schedule = state.withLock { pending -> Bool in
            pending.items.append(Item(fence: fence, operation: operation, completion: nil))
            if pending.draining || pending.flushScheduled { return false }
            pending.flushScheduled = true
            return true
        }
        guard schedule else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.lazyDelay) { [self] in
            let start = state.withLock { pending -> Bool in
                pending.flushScheduled = false
                guard !pending.draining, !pending.items.isEmpty else { return false }
                pending.draining = true
                return true
            }
            if start { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
        }
    }

    /// Returns once everything queued before this call is committed.
    func flush() async throws {
        try await commit(nil) { _ in }
    }

    /// Commits batches until the queue is empty. Runs on GRDB's serial writer queue.
    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { pending -> [Item] in
                let batch = pending.items
                pending.items.removeAll(keepingCapacity: true)
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let results = apply(batch, db).map { result in result.mapError(SQLiteMessage.storeError) }
            // A fire-and-forget failure is handed to the next awaited operation of the same owner (fence), or to
            // the next flush; an owner never receives another owner's error.
            let deferred = state.withLock { pending -> [Int: any Error] in
                for (index, result) in results.enumerated() where batch[index].completion == nil {
                    if case .failure(let error) = result, pending.deferred[batch[index].fence] == nil {
                        pending.deferred[batch[index].fence] = error
                    }
                }
                var handed: [Int: any Error] = [:]
                for (index, item) in batch.enumerated() where item.completion != nil {
                    if item.fence == nil, let any = pending.deferred.first {
                        handed[index] = any.value
                        pending.deferred[any.key] = nil
                    } else if let error = pending.deferred.removeValue(forKey: item.fence) {
                        handed[index] = error
                    }
                }
                return handed
            }
            for (index, item) in batch.enumerated() {
                guard let completion = item.completion else { continue }
                // The earlier failure is the root cause (a trial's start that did not commit makes its finish fail too).
                if let error = deferred[index] {
                    completion(.failure(error))
                } else {
                    completion(results[index])
                }
            }
        }
    }

    /// One transaction for the whole batch; if it fails, each operation is retried alone so only the bad one fails.
    private func apply(_ batch: [Item], _ db: Database) -> [Result<Void, any Error>] {
        var results = [Result<Void, any Error>](repeating: .success(()), count: batch.count)
        do {
            try db.inTransaction(.immediate) {
                // Usually one owner, so a linear scan beats hashing every operation's fence.
                var fences: [Fence] = []
                for item in batch { if let fence = item.fence, !fences.contains(fence) { fences.append(fence) } }
                let refused = try Self.refusedFences(fences, db)
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
            guard let row else {
                refused[fence] = .lostOwnership(name: "#\(fence.experiment)", newOwner: "nobody (the experiment was deleted)")
                continue
            }
            let epoch: Int64 = row["owner_epoch"] ?? 0
            guard epoch != fence.epoch else { continue }
            let pid: Int32? = row["owner_pid"]
            let host: String? = row["owner_host"]
            let owner = pid.map { "pid \($0) on \(host ?? "?")" } ?? "another process (which has since stopped)"
            refused[fence] = .lostOwnership(name: row["name"] ?? "?", newOwner: owner)
        }
        return refused
    }
}
