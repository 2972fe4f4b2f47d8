import Synchronization

/// The epoch an operation's owner holds: a backend's group commit checks it inside the batch's transaction and
/// leaves out the operations of a superseded owner.
public struct CommitFence: Sendable, Hashable {
    public var experiment: Int64
    public var epoch: Int64

    public init(_ lease: OwnerLease) {
        experiment = lease.experiment
        epoch = lease.epoch
    }
}

/// The bookkeeping of a group commit, shared by the store backends; the backend owns the transaction.
///
/// Operations are queued from any thread. Whoever queues into an idle queue becomes its drainer: it takes batches
/// (`nextBatch`) and applies each in one transaction of its own, then hands the results back (`complete`), which
/// calls the awaited operations' completions, so nothing is reported done before its commit returned. Operations
/// nobody awaits (a trial's start, its streamed reports) wait for company until a delayed flush; their failures
/// are handed to the next awaited operation of the same owner (fence), or to the next unfenced one (a flush), so an
/// owner never receives another owner's error and a lost start makes its trial's finish fail with the root cause.
public final class GroupCommit<Operation: Sendable>: Sendable {
    public typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    /// One queued operation, with the fence it was made under.
    public struct Item: Sendable {
        public var fence: CommitFence?
        public var operation: Operation
        var completion: Completion?
    }

    private struct Pending: ~Copyable {
        var items: [Item] = []
        var draining = false
        var flushScheduled = false
        /// Errors from fire-and-forget operations, by fence, handed to the next awaited operation of that fence.
        var deferred: [CommitFence?: any Error] = [:]
    }

    private let state = Mutex(Pending())

    public init() {}

    /// Queues an awaited operation. Returns true when the caller must drain the queue (none is being drained).
    public func enqueue(_ fence: CommitFence?, _ operation: Operation, completion: @escaping Completion) -> Bool {
        state.withLock { pending in
            pending.items.append(Item(fence: fence, operation: operation, completion: completion))
            if pending.draining { return false }
            pending.draining = true
            return true
        }
    }

    /// Queues an operation nobody awaits. Returns true when the caller must schedule a delayed `startScheduledDrain`.
    public func enqueueLazily(_ fence: CommitFence?, _ operation: Operation) -> Bool {
        state.withLock { pending in
            pending.items.append(Item(fence: fence, operation: operation, completion: nil))
            if pending.draining || pending.flushScheduled { return false }
            pending.flushScheduled = true
            return true
        }
    }

    /// Called when a scheduled flush is due. Returns true when the caller must drain the queue.
    public func startScheduledDrain() -> Bool {
        state.withLock { pending in
            pending.flushScheduled = false
            guard !pending.draining, !pending.items.isEmpty else { return false }
            pending.draining = true
            return true
        }
    }

    /// Everything queued so far, for the drainer's next transaction; nil (and the drain over) when nothing is left.
    public func nextBatch() -> [Item]? {
        state.withLock { pending in
            let batch = pending.items
            pending.items.removeAll(keepingCapacity: true)
            if batch.isEmpty {
                pending.draining = false
                return nil
            }
            return batch
        }
    }

    /// Hands `batch`'s results (one per item, in order) back: keeps unawaited failures for their owner's next awaited
    /// operation, then calls the awaited operations' completions.
    public func complete(_ batch: [Item], with results: [Result<Void, any Error>]) {
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
            // The earlier failure is the root cause (a trial's start that did not commit makes its finish fail too).
            completion(handed[index].map { .failure($0) } ?? results[index])
        }
    }

    /// The distinct fences of `batch`, in order (usually one owner, so a linear scan beats hashing every item).
    public static func fences(of batch: [Item]) -> [CommitFence] {
        var fences: [CommitFence] = []
        for item in batch { if let fence = item.fence, !fences.contains(fence) { fences.append(fence) } }
        return fences
    }

    /// The error for an operation whose fence was superseded: the experiment now owned by `pid` on `host` (or by a
    /// process that has since stopped), or deleted when `name` is nil.
    public static func lostOwnership(experiment: Int64, name: String?, ownerPID: Int32?, ownerHost: String?) -> StoreError {
        guard let name else { return .lostOwnership(name: "#\(experiment)", newOwner: "nobody (the experiment was deleted)") }
        let owner = ownerPID.map { "pid \($0) on \(ownerHost ?? "?")" } ?? "another process (which has since stopped)"
        return .lostOwnership(name: name, newOwner: owner)
    }
}
