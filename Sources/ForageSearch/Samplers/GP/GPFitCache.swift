import Foundation

/// The kernel fits of one GP sampler, memoised by their data: a pure speed-up, never a change of result.
///
/// Long histories fit the kernel on a prefix of the completed trials that only moves every few trials
/// (`GPSampler.fitPrefix`), so consecutive suggestions fit on the same data. Whether a fit comes from here or is
/// recomputed (after a resume, in another process), it is the same fit: the sampler stays a function of its history.
final class GPFitCache: @unchecked Sendable {
    private struct Entry {
        var points: [[Double]]
        var values: [Double]
        var kernel: GPModel.Kernel
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    /// Fits kept (the most recent ones).
    private let capacity = 4

    /// The fit on exactly these points and values, from the cache or from `compute` (then kept).
    func kernel(points: [[Double]], values: [Double], compute: () -> GPModel.Kernel) -> GPModel.Kernel {
        lock.lock()
        let hit = entries.first { $0.values == values && $0.points == points }?.kernel
        lock.unlock()
        if let hit { return hit }
        let kernel = compute()
        lock.lock()
        entries.append(Entry(points: points, values: values, kernel: kernel))
        if entries.count > capacity { entries.removeFirst() }
        lock.unlock()
        return kernel
    }
}
