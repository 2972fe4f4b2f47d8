import Foundation

/// Who is running an experiment: the heartbeat lease that keeps a second `run`/`resume` from running it twice.
public struct OwnerIdentity: Sendable, Equatable {
    /// A random token unique to this process's ownership.
    public var token: String
    public var pid: Int32
    public var host: String

    public init(token: String = UUID().uuidString, pid: Int32 = getpid(), host: String = ProcessInfo.processInfo.hostName) {
        self.token = token
        self.pid = pid
        self.host = host
    }

    public var label: String { "pid \(pid) on \(host)" }

    /// Seconds without a heartbeat after which an owner on another host is presumed dead.
    public static let staleAfter: Double = 15

    /// Whether an owner recorded in the store may still be alive, seen from this process.
    static func mayBeAlive(pid: Int32, host: String, heartbeatAge: Double) -> Bool {
        if heartbeatAge > staleAfter { return false }
        if host == ProcessInfo.processInfo.hostName {
            // Same machine: the process table is the truth, so a killed owner frees the experiment at once.
            return isRunning(pid: pid)
        }
        return true
    }

    /// Whether a local process exists and is not a zombie (a killed owner whose parent has not reaped it yet).
    static func isRunning(pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
