import Foundation

/// Who is running an experiment: the process that holds (or asks for) its ownership lease.
///
/// The identity names the process precisely enough that another process on the same machine can tell from the
/// process table whether it still lives: its pid, the machine's boot id and the process's start time (so a reused
/// pid or a reboot is not mistaken for the owner).
public struct OwnerIdentity: Sendable, Equatable {
    /// A random token unique to this process's ownership.
    public var token: String
    public var pid: Int32
    public var host: String
    /// `<boot id>:<start time in clock ticks>` of the process, or empty when /proc does not tell.
    public var process: String

    public init(
        token: String = UUID().uuidString, pid: Int32 = getpid(), host: String = ProcessInfo.processInfo.hostName,
        process: String? = nil
    ) {
        self.token = token
        self.pid = pid
        self.host = host
        self.process = process ?? ProcessTable.identity(of: pid) ?? ""
    }

    public var label: String { "pid \(pid) on \(host)" }

    /// Seconds without a heartbeat after which an owner on another machine is presumed dead.
    public static let staleAfter: Double = 15
}

/// The ownership an owner holds: the experiment and the epoch its writes are fenced with.
///
/// Each take-over (a `run` creating the experiment, a `resume`, a `resume --force`) raises the experiment's epoch.
/// Every write an owner makes names its lease, and the store applies it only while the experiment's epoch is still
/// the lease's; otherwise the write changes nothing and fails with `StoreError.lostOwnership`.
public struct OwnerLease: Sendable, Equatable {
    public var experiment: Int64
    public var epoch: Int64
    public var owner: OwnerIdentity

    public init(experiment: Int64, epoch: Int64, owner: OwnerIdentity) {
        self.experiment = experiment
        self.epoch = epoch
        self.owner = owner
    }
}

/// The owner recorded in an experiment row, as any backend reads it.
public struct RecordedOwner: Sendable, Equatable {
    public var pid: Int32
    public var host: String
    public var process: String
    /// Seconds since its last heartbeat, by the store's clock.
    public var heartbeatAge: Double

    public init(pid: Int32, host: String, process: String, heartbeatAge: Double) {
        self.pid = pid
        self.host = host
        self.process = process
        self.heartbeatAge = heartbeatAge
    }

    public var label: String { "pid \(pid) on \(host)" }

    /// Whether this owner may still be alive, seen from this process. On the same machine the process table
    /// decides: a stopped (`SIGSTOP`), frozen or busy process is alive whatever its heartbeat, and a killed one is
    /// dead at once. Across machines the heartbeat's age decides.
    public var mayBeAlive: Bool {
        if host == ProcessInfo.processInfo.hostName && ProcessTable.sameBoot(process) {
            return ProcessTable.isRunning(pid: pid, identity: process)
        }
        return heartbeatAge <= OwnerIdentity.staleAfter
    }
}

/// What /proc says about local processes.
public enum ProcessTable {
    /// This boot of the machine (empty when unknown).
    public static let bootID: String = {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }()

    /// `<boot id>:<start time>` of a running process, or nil.
    public static func identity(of pid: Int32) -> String? {
        guard let fields = statFields(pid), fields.count > 19 else { return nil }
        // Field 22 of /proc/PID/stat (the start time) is index 19 after the state field.
        return "\(bootID):\(fields[19])"
    }

    /// Whether a recorded identity was taken during this boot (an identity from before a reboot, or none, is not).
    static func sameBoot(_ identity: String) -> Bool {
        guard !bootID.isEmpty, let colon = identity.firstIndex(of: ":") else { return identity.isEmpty }
        return identity[..<colon] == bootID
    }

    /// Whether a local process exists, is not a zombie, and (when `identity` is known) is the same process that
    /// recorded it rather than a later one that reused the pid.
    public static func isRunning(pid: Int32, identity: String = "") -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let fields = statFields(pid), let state = fields.first else { return true }
        if state == "Z" || state == "X" { return false }
        if !identity.isEmpty, fields.count > 19, identity != "\(bootID):\(fields[19])" { return false }
        return true
    }

    /// The fields of /proc/PID/stat after the command name (state first).
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
