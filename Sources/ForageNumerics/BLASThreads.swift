import COpenBLAS

/// The number of threads OpenBLAS uses. The setting is process-wide: the engine sets it to 1 when it runs several
/// trials at once (`budget.parallel > 1`), so that trials, not BLAS threads, share the cores.
public enum BLASThreads {
    /// Sets OpenBLAS's thread count (values below 1 are treated as 1).
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// OpenBLAS's current thread count.
    public static var current: Int {
        Int(openblas_get_num_threads())
    }

    /// The default for in-process trials: 1 thread (measured faster or equal on this 2-core class of machine, and it
    /// avoids OpenBLAS workers spin-waiting on busy cores; see the ForageML benchmark notes).
    public static let recommendedDefault = 1
}
