import Foundation

/// A private PostgreSQL server for tests, started once per test process in a scratch folder on a free loopback
/// port (as `nobody` when the tests run as root: postgres refuses root), and stopped when the process ends (a
/// watchdog shell removes it even after a crash). Each test asks for its own database.
public final class PostgresTestServer: Sendable {
    public let port: Int
    public let folder: URL
    let binaries: URL
    /// Where `createdb` and `psql` reach the server: the loopback address, or the socket folder for a server in a
    /// network namespace.
    let toolHost: String
    /// The address in the URLs `url(database:)` gives.
    let address: String
    nonisolated(unsafe) private let watchdog: Process

    /// The shared server, or why there is none (no PostgreSQL installed, cannot drop root…).
    public static let shared: Result<PostgresTestServer, ServerUnavailable> = {
        do {
            return .success(try PostgresTestServer())
        } catch let error as ServerUnavailable {
            FileHandle.standardError.write(Data("note: PostgreSQL tests skipped: \(error.reason)\n".utf8))
            return .failure(error)
        } catch {
            return .failure(ServerUnavailable(reason: "\(error)"))
        }
    }()

    /// Why the server could not start.
    public struct ServerUnavailable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// A new, empty database on the shared server: its `postgres://` URL.
    public func createDatabase(_ prefix: String = "t") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        try Self.runTool(binaries.appendingPathComponent("createdb"), ["-h", toolHost, "-p", String(port), "-U", "forage", name], asUser: false)
        return url(database: name)
    }

    /// Runs SQL on a database of the server with `psql` (the database named by its URL), and returns its output.
    @discardableResult
    public func psql(_ url: String, _ sql: String) throws -> String {
        let name = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        return try Self.runTool(
            binaries.appendingPathComponent("psql"),
            ["-h", toolHost, "-p", String(port), "-U", "forage", "-d", name, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], asUser: false)
    }

    /// The URL of database `name` on the server.
    public func url(database name: String) -> String {
        url(database: name, host: address)
    }

    /// The URL of database `name` on the server, reached at `host` (one of the addresses it listens on).
    public func url(database name: String, host: String) -> String {
        "postgres://forage@\(host):\(port)/\(name)?sslmode=disable"
    }

    /// A server of its own inside network namespace `namespace` (which must exist), listening on `port` at the
    /// namespace's addresses and trusting clients from `network` (CIDR, e.g. 10.77.0.0/16); tools reach it by its
    /// socket folder. It stops with `stop()`, or when this process ends.
    public static func inNamespace(_ namespace: String, port: Int, trusting network: String) throws -> PostgresTestServer {
        try PostgresTestServer(namespace: namespace, port: port, trusting: network)
    }

    /// Stops the server (a fast shutdown) and waits, at most 10 s, for it and its folder to go.
    public func stop() {
        FileManager.default.createFile(atPath: folder.appendingPathComponent("stop").path, contents: nil)
        let deadline = Date().addingTimeInterval(10)
        while watchdog.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// The folder holding the PostgreSQL programs (`postgres`, `initdb`, `createdb`, `psql`).
    public static func binaryFolder() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["FORAGE_PG_BIN"] { return URL(fileURLWithPath: folder) }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions {
            let folder = URL(fileURLWithPath: "\(root)/\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("postgres").path) { return folder }
        }
        for path in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(path)).appendingPathComponent("postgres")
            if FileManager.default.isExecutableFile(atPath: candidate.path), FileManager.default.isExecutableFile(
                atPath: candidate.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("createdb").path)
            {
                return candidate.resolvingSymlinksInPath().deletingLastPathComponent()
            }
        }
        return nil
    }

    private init(namespace: String? = nil, port chosenPort: Int? = nil, trusting network: String? = nil) throws {
        guard let binaries = Self.binaryFolder() else {
            throw ServerUnavailable(reason: "no PostgreSQL server programs found (install Debian's postgresql, or set FORAGE_PG_BIN)")
        }
        self.binaries = binaries
        if getuid() == 0, !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            throw ServerUnavailable(reason: "running as root without setpriv to start postgres as an unprivileged user")
        }
        folder = URL(fileURLWithPath: "/tmp/forage-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: folder.path)
        }
        let data = folder.appendingPathComponent("data").path
        try Self.runTool(
            binaries.appendingPathComponent("initdb"), ["-D", data, "-U", "forage", "--auth=trust", "-E", "UTF8", "--no-sync"], asUser: true)
        port = try chosenPort ?? Self.freePort()
        toolHost = namespace == nil ? "127.0.0.1" : folder.path
        address = "127.0.0.1"
        if let network {
            let hba = folder.appendingPathComponent("data/pg_hba.conf")
            let rules = ((try? String(contentsOf: hba, encoding: .utf8)) ?? "") + "host all all \(network) trust\n"
            try rules.write(to: hba, atomically: false, encoding: .utf8)
        }
        // The watchdog: postgres runs while this test process lives (and until `stop()`), then gets a fast shutdown
        // and its folder goes.
        let postgres = binaries.appendingPathComponent("postgres").path
        let script = """
            "\(postgres)" -D "\(data)" -k "\(folder.path)" -p \(port) -c listen_addresses=\(namespace == nil ? "127.0.0.1" : "'*'") -c fsync=off \
              -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB \
              > "\(folder.path)/server.log" 2>&1 &
            pg=$!
            while [ -d /proc/\(getpid()) ] && [ ! -e "\(folder.path)/stop" ] && kill -0 $pg 2>/dev/null; do sleep 0.2; done
            kill -INT $pg 2>/dev/null; wait $pg; rm -rf "\(folder.path)"
            """
        let watchdog = Process()
        var command = getuid() == 0 ? ["/usr/bin/setpriv"] + Self.unprivileged + ["/bin/sh", "-c", script] : ["/bin/sh", "-c", script]
        if let namespace { command = [NetworkLab.ipTool, "netns", "exec", namespace] + command }
        watchdog.executableURL = URL(fileURLWithPath: command[0])
        watchdog.arguments = Array(command.dropFirst())
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try watchdog.run()
        self.watchdog = watchdog
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? Self.runTool(
                binaries.appendingPathComponent("pg_isready"), ["-q", "-h", toolHost, "-p", String(port)], asUser: false)) != nil
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOfFile: folder.appendingPathComponent("server.log").path, encoding: .utf8)) ?? ""
        throw ServerUnavailable(reason: "postgres did not start within 30 s: \(log.suffix(500))")
    }

    static let unprivileged = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"]

    /// Runs a PostgreSQL program to completion (as `nobody` when `asUser` and this process is root).
    @discardableResult
    static func runTool(_ tool: URL, _ arguments: [String], asUser: Bool) throws -> String {
        let process = Process()
        if asUser && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = unprivileged + [tool.path] + arguments
        } else {
            process.executableURL = tool
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ServerUnavailable(reason: "\(tool.lastPathComponent) failed (\(process.terminationStatus)): \(text.suffix(500))")
        }
        return text
    }

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerUnavailable(reason: "cannot open a socket") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ServerUnavailable(reason: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
