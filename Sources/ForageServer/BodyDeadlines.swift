import Synchronization

/// Body deadlines without a timer per request: a request registers its own task with a deadline while it reads
/// its body (in a child task); one sweeper (every 100 ms) cancels the tasks whose deadline passed and marks them expired, so the
/// request answers 408. Registration and removal are two short locked operations.
final class BodyDeadlines: Sendable {
    private struct Entry: @unchecked Sendable {
        // Only used under the lock, and only while the request (which removes it before it ends) is running.
        let task: UnsafeCurrentTask
        let deadline: ContinuousClock.Instant
    }

    private struct State {
        var next: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var expired: Set<UInt64> = []
    }

    private let state = Mutex(State())
    let timeout: Duration

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Runs `body` (reading a request body) under the deadline, in a child task (cancelling the request's own task
    /// would drop the connection before the 408 is written); returns nil when the deadline passed.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await self.guarded(body) }
            guard let first = try await group.next() else { return nil }
            return first
        }
    }

    private func guarded<T>(_ body: () async throws -> T) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        let id: UInt64? = withUnsafeCurrentTask { task in
            guard let task else { return nil }
            return state.withLock { state in
                state.next += 1
                state.entries[state.next] = Entry(task: task, deadline: deadline)
                return state.next
            }
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        guard let id else { return try result.get() }
        let expired = state.withLock { state in
            state.entries[id] = nil
            return state.expired.remove(id) != nil
        }
        if expired { return nil }
        return try result.get()
    }

    /// Cancels the requests whose deadline passed; runs until cancelled.
    func sweep() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                return
            }
            let now = ContinuousClock.now
            state.withLock { state in
                for (id, entry) in state.entries where entry.deadline <= now {
                    entry.task.cancel()
                    state.entries[id] = nil
                    state.expired.insert(id)
                }
            }
        }
    }
}
