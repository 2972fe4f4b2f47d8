import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How long this process has been running: `forage run` counts `budget.time` from the process's start, so the
/// time the binary takes to load and start (a second or more on a loaded machine) is inside the budget, as it is in
/// the wall time a user measures.
public enum ProcessAge {
    /// The time since the process started, from `/proc/self/stat` (its start in clock ticks since boot) and the
    /// boot-time clock; zero where that cannot be read (not Linux, no `/proc`).
    public static func current() -> Duration {
        #if os(Linux)
            guard let stat = readProcStat(), let close = stat.lastIndex(of: ")") else { return .zero }
            // After the command name in parentheses: field 3 (state) onwards; field 22 is the start time.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 19, let ticks = Double(fields[19]) else { return .zero }
            let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
            var now = timespec()
            guard ticksPerSecond > 0, clock_gettime(CLOCK_BOOTTIME, &now) == 0 else { return .zero }
            let seconds = Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9 - ticks / ticksPerSecond
            // A start in the future or days back means the fields were not what they should be.
            guard seconds > 0, seconds < 86_400 * 365 else { return .zero }
            return .milliseconds(Int64(seconds * 1000))
        #else
            return .zero
        #endif
    }

    #if os(Linux)
        /// `/proc/self/stat` as text (its reported size is 0, so it is read until its end).
        private static func readProcStat() -> String? {
            guard let file = fopen("/proc/self/stat", "r") else { return nil }
            defer { fclose(file) }
            var bytes = [UInt8](repeating: 0, count: 4096)
            let count = fread(&bytes, 1, bytes.count, file)
            guard count > 0 else { return nil }
            return String(decoding: bytes[0..<count], as: UTF8.self)
        }
    #endif
}
