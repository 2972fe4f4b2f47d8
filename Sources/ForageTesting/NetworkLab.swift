import Foundation
import Synchronization

/// Machines on one machine, for tests of what crosses a network: a "database" network namespace and one namespace
/// per host, each host joined to the database by its own veth pair (host k is 10.77.k.2, the database's end of its
/// link 10.77.k.1). Programs run in a host with `start(_:in:…)` (`ip netns exec`); a host's link goes down and up
/// with `setLink`; `killHost` kills every process of a host and nothing else.
///
/// Names carry this process's id (`fglab-PID-N-…`), so parallel tests and runs never meet; namespaces a crashed
/// earlier run left behind (whose process is gone) are removed when a lab is made. `tearDown()` kills only processes
/// that are in the lab's namespaces (checked by the namespace's inode, never this process) and deletes them.
public final class NetworkLab: @unchecked Sendable {
    /// The prefix of every lab namespace's name.
    public static let prefix = "fglab-"
    /// The `ip` program (iproute2).
    public static let ipTool = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "/usr/sbin/ip"
    private static let made = Mutex(0)

    /// One host of the lab: its namespace, its address and the database's address on its link.
    public struct Host: Sendable {
        public var name: String
        public var namespace: String
        public var address: String
        public var databaseAddress: String
        /// The database's end of this host's link (in the database's namespace).
        var link: String
    }

    /// Why a lab cannot be made here (not root, namespaces not permitted, no `ip`).
    public struct Unavailable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public let database: String
    public let hosts: [Host]
    private var namespaces: [String] { [database] + hosts.map(\.namespace) }
    private var torn = false

    /// Makes the database namespace and `hosts` host namespaces, linked and addressed; throws `Unavailable` when
    /// this machine does not allow network namespaces.
    public init(hosts names: [String]) throws {
        Self.removeLeftovers()
        let serial = Self.made.withLock {
            $0 += 1
            return $0
        }
        let stem = "\(Self.prefix)\(getpid())-\(serial)"
        database = "\(stem)-db"
        hosts = names.enumerated().map { index, name in
            Host(
                name: name, namespace: "\(stem)-\(name)", address: "10.77.\(index + 1).2", databaseAddress: "10.77.\(index + 1).1",
                link: "d\(index + 1)")
        }
        do {
            try Self.ip(["netns", "add", database])
        } catch {
            throw Unavailable(reason: "cannot make a network namespace (`ip netns add` needs root and a kernel that allows it): \(error)")
        }
        do {
            try Self.ip(["-n", database, "link", "set", "lo", "up"])
            for (index, host) in hosts.enumerated() {
                try Self.ip(["netns", "add", host.namespace])
                try Self.ip(["-n", host.namespace, "link", "set", "lo", "up"])
                // Made in the database's namespace, its peer straight in the host's: the names never meet elsewhere.
                try Self.ip(["-n", database, "link", "add", host.link, "type", "veth", "peer", "name", "e\(index + 1)", "netns", host.namespace])
                try Self.ip(["-n", database, "addr", "add", "\(host.databaseAddress)/24", "dev", host.link])
                try Self.ip(["-n", host.namespace, "addr", "add", "\(host.address)/24", "dev", "e\(index + 1)"])
                try Self.ip(["-n", database, "link", "set", host.link, "up"])
                try Self.ip(["-n", host.namespace, "link", "set", "e\(index + 1)", "up"])
            }
        } catch {
            tearDown()
            throw error
        }
    }

    deinit {
        tearDown()
    }

    /// The host named `name`.
    public func host(_ name: String) -> Host? {
        hosts.first { $0.name == name }
    }

    /// Starts `command` (a program and its arguments) inside `namespace`, its output appended to `log`.
    public func start(_ command: [String], in namespace: String, directory: URL, log: URL, environment: [String: String] = [:]) throws -> Process {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ipTool)
        process.arguments = ["netns", "exec", namespace] + command
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["FORAGE_STORE"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Takes host `name`'s link down (a partition: packets are lost, connections are not closed) or up again.
    public func setLink(_ host: Host, up: Bool) throws {
        try Self.ip(["-n", database, "link", "set", host.link, up ? "up" : "down"])
    }

    /// Kills every process of `namespace` (node loss) with SIGKILL, until none is left; returns how many it killed.
    @discardableResult
    public func killEverything(in namespace: String) -> Int {
        Self.killAll(in: namespace)
    }

    /// Kills every process of the lab's namespaces and deletes them (safe to call twice).
    public func tearDown() {
        guard !torn else { return }
        torn = true
        for namespace in namespaces.reversed() {
            Self.killAll(in: namespace)
            try? Self.ip(["netns", "del", namespace])
        }
    }

    // MARK: - Processes by namespace

    /// The inode of a namespace file (`/run/netns/NAME`, `/proc/PID/ns/net`), or nil.
    static func inode(_ path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Pids whose network namespace is `namespace`, checked one by one against the namespace's inode; never this
    /// process, nor any process in this process's own namespace.
    public static func members(of namespace: String) -> [pid_t] {
        guard let target = inode("/run/netns/\(namespace)"), let own = inode("/proc/self/ns/net"), target != own else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard pid > 1, pid != getpid(), let their = inode("/proc/\(pid)/ns/net") else { return false }
            return their == target
        }
    }

    @discardableResult
    static func killAll(in namespace: String) -> Int {
        var killed = Set<pid_t>()
        // Children may be forked meanwhile: sweep until a sweep finds nobody (at most 10 s).
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let pids = members(of: namespace)
            if pids.isEmpty { break }
            // All at once, as a lost node goes: every process is frozen before any is killed, so none (a worker
            // whose trial's supervisor died first) can act on another's death in between.
            for pid in pids { kill(pid, SIGSTOP) }
            for pid in pids {
                kill(pid, SIGKILL)
                killed.insert(pid)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return killed.count
    }

    /// Removes lab namespaces whose test process is gone (a crashed earlier run).
    public static func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap({ Int32($0) }), pid != getpid() else { continue }
            if FileManager.default.fileExists(atPath: "/proc/\(pid)") { continue }
            killAll(in: name)
            try? ip(["netns", "del", name])
        }
    }

    /// Runs `ip arguments…`; throws `Unavailable` with its message when it fails.
    static func ip(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipTool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw Unavailable(reason: "cannot run \(ipTool): \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(reason: "ip \(arguments.joined(separator: " ")) failed: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
