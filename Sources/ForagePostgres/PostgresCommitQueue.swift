import ForageStore
import Foundation
import PostgresNIO
import Synchronization

/// Group commit with fencing for a PostgreSQL store, with the same guarantees as the SQLite store's queue.
///
/// Operations are queued from any task; one drain at a time applies everything queued so far in a single
/// transaction, and only after `COMMIT` returns are their completions called (nothing is reported done before it
/// is durable). An operation made under an ownership lease carries its fence: inside the transaction the
/// experiment row's epoch is read `FOR SHARE` (so a take-over, which updates that row, waits for this commit or
/// this commit sees it), and operations whose lease was superseded are left out and fail with `lostOwnership`.
final class PostgresCommitQueue: Sendable {
    typealias Operation = @Sendable (PostgresConnection) async throws -> Void
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

    private struct Item: Sendable {
        var fence: Fence?
        var operation: Operation
        var completion: Completion?
    }

    private struct Pending {
        var items: [Item] = []
        var draining = false
        var flushScheduled = false
        var deferred: [Fence?: any Error] = [:]
    }

    private let database: PostgresDatabase
    private let state = Mutex(Pending())
    /// How long an unawaited operation may wait for company.
    static let lazyDelay: Duration = .milliseconds(20)

    init(database: PostgresDatabase) {
        self.database = database
    }

    /// Queues `operation` and returns once it is committed (or throws its error, or an earlier queued one's).
    func commit(_ fence: Fence?, _ operation: @escaping Operation) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let lead = state.withLock { pending -> Bool in
                pending.items.append(Item(fence: fence, operation: operation, completion: { continuation.resume(with: $0) }))
                if pending.draining { return false }
                pending.draining = true
                return true
            }
            if lead { Task { await self.drain() } }
        }
    }

    /// Queues `operation` without waiting; it commits with the next batch, at the latest after `lazyDelay`.
    func submit(_ fence: Fence?, _ operation: @escaping Operation) {
        let schedule = state.withLock { pending -> Bool in
            pending.items.append(Item(fence: fence, operation: operation, completion: nil))
            if pending.draining || pending.flushScheduled { return false }
            pending.flushScheduled = true
            return true
        }
        guard schedule else { return }
        Task {
            try? await Task.sleep(for: Self.lazyDelay)
            let start = self.state.withLock { pending -> Bool in
                pending.flushScheduled = false
                guard !pending.draining, !pending.items.isEmpty else { return false }
                pending.draining = true
                return true
            }
            if start { await self.drain() }
        }
    }

    /// Returns once everything queued before this call is committed.
    func flush() async throws {
        try await commit(nil) { _ in }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { pending -> [Item] in
                let batch = pending.items
                pending.items.removeAll(keepingCapacity: true)
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let results = await apply(batch).map { $0.mapError(PostgresMessage.storeError) }
            let handed = state.withLock { pending -> [Int: any Error] in
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
                if let error = handed[index] { completion(.failure(error)) } else { completion(results[index]) }
            }
        }
    }

    /// One transaction for the whole batch; if it fails, each operation is retried alone so only the bad one fails.
    private func apply(_ batch: [Item]) async -> [Result<Void, any Error>] {
        do {
            return try await database.transaction { connection in
                var fences: [Fence] = []
                for item in batch { if let fence = item.fence, !fences.contains(fence) { fences.append(fence) } }
                let refused = try await Self.refusedFences(fences, connection)
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

    /// The fences whose epoch is no longer the experiment's, with the error to report.
    static func refusedFences(_ fences: [Fence], _ connection: PostgresConnection) async throws -> [Fence: StoreError] {
        var refused: [Fence: StoreError] = [:]
        for fence in fences {
            let row = try await connection.row(
                "SELECT name, owner_epoch, owner_pid, owner_host FROM experiments WHERE id = \(fence.experiment) FOR SHARE"
            ) { row in
                (try row.get("name", as: String.self), try row.get("owner_epoch", as: Int64.self), try row.get("owner_pid", as: Int32?.self),
                 try row.get("owner_host", as: String?.self))
            }
            guard let (name, epoch, pid, host) = row else {
                refused[fence] = .lostOwnership(name: "#\(fence.experiment)", newOwner: "nobody (the experiment was deleted)")
                continue
            }
            guard epoch != fence.epoch else { continue }
            let owner = pid.map { "pid \($0) on \(host ?? "?")" } ?? "another process (which has since stopped)"
            refused[fence] = .lostOwnership(name: name, newOwner: owner)
        }
        return refused
    }
}
