import Foundation
import GRDB
import Synchronization

/// Group commit for the store's single writer.
///
/// Operations are queued from any thread; one drain at a time runs on GRDB's writer queue and applies everything
/// queued so far in a single `BEGIN IMMEDIATE … COMMIT`. Only after the commit returns are the operations'
/// completions called, so nothing is ever reported done before it is durable. Under load, batches grow by
/// themselves; when idle, an awaited operation commits alone, at once. Operations nobody awaits (a trial's start,
/// its streamed reports) wait up to `lazyDelay` for company, so a short trial's start, reports and finish usually
/// share one transaction.
final class CommitQueue: Sendable {
    typealias Operation = @Sendable (Database) throws -> Void
    typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    private struct Pending {
        var operations: [(Operation, Completion?)] = []
        var draining = false
        var flushScheduled = false
        /// An error from a fire-and-forget operation, handed to the next operation that is awaited.
        var deferredError: (any Error)?
    }

    private let writer: DatabasePool
    private let state = Mutex(Pending())
    /// How long an unawaited operation may wait for a batch.
    static let lazyDelay: DispatchTimeInterval = .milliseconds(20)

    init(writer: DatabasePool) {
        self.writer = writer
    }

    /// Queues `operation` and returns once it is committed (or throws its error).
    ///
    /// When no batch is being written, the caller becomes the writer: it commits the queue on its own thread, which
    /// saves two thread hand-offs per commit when the store is not busy. Otherwise it waits for the running batch
    /// writer to pick its operation up.
    func commit(_ operation: @escaping Operation) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let lead = state.withLock { pending -> Bool in
                pending.operations.append((operation, { result in continuation.resume(with: result) }))
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
    func submit(_ operation: @escaping Operation) {
        enqueue(operation, urgent: false, completion: nil)
    }

    /// Returns once everything queued before this call is committed.
    func flush() async throws {
        try await commit { _ in }
    }

    private func enqueue(_ operation: @escaping Operation, urgent: Bool, completion: Completion?) {
        enum Next { case nothing, drain, scheduleFlush }
        let next = state.withLock { pending -> Next in
            pending.operations.append((operation, completion))
            if pending.draining { return .nothing }
            if urgent {
                pending.draining = true
                return .drain
            }
            if pending.flushScheduled { return .nothing }
            pending.flushScheduled = true
            return .scheduleFlush
        }
        switch next {
        case .nothing: break
        case .drain: startDrain()
        case .scheduleFlush:
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.lazyDelay) { [self] in
                let start = state.withLock { pending -> Bool in
                    pending.flushScheduled = false
                    guard !pending.draining, !pending.operations.isEmpty else { return false }
                    pending.draining = true
                    return true
                }
                if start { startDrain() }
            }
        }
    }

    private func startDrain() {
        writer.asyncWriteWithoutTransaction { [self] db in drain(db) }
    }

    /// Commits batches until the queue is empty. Runs on GRDB's serial writer queue.
    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { pending -> [(Operation, Completion?)] in
                let batch = pending.operations
                pending.operations.removeAll(keepingCapacity: true)
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let results = apply(batch, db)
            let deferred = state.withLock { pending -> (any Error)? in
                for (index, result) in results.enumerated() where batch[index].1 == nil {
                    if case .failure(let error) = result, pending.deferredError == nil { pending.deferredError = error }
                }
                let error = pending.deferredError
                if error != nil, batch.contains(where: { $0.1 != nil }) { pending.deferredError = nil }
                return error
            }
            for (index, (_, completion)) in batch.enumerated() {
                guard let completion else { continue }
                if case .success = results[index], let deferred {
                    completion(.failure(deferred))
                } else {
                    completion(results[index])
                }
            }
        }
    }

    /// One transaction for the whole batch; if it fails, each operation is retried alone so only the bad one fails.
    private func apply(_ batch: [(Operation, Completion?)], _ db: Database) -> [Result<Void, any Error>] {
        do {
            try db.inTransaction(.immediate) {
                for (operation, _) in batch { try operation(db) }
                return .commit
            }
            return Array(repeating: .success(()), count: batch.count)
        } catch {
            if batch.count == 1 { return [.failure(error)] }
            return batch.map { operation, _ in
                Result {
                    try db.inTransaction(.immediate) {
                        try operation(db)
                        return .commit
                    }
                }
            }
        }
    }
}
