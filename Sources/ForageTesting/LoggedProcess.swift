import Foundation

/// A `forage` process whose stdout and stderr go to files, so a long-running one (a coordinator, a worker) never
/// blocks on a full pipe and a test can read what it printed so far.
public struct LoggedProcess {
    public var process: Process
    public var stdoutFile: URL
    public var stderrFile: URL

    /// Starts `forage arguments…` in `directory`, logging to `<directory>/<label>.out` and `.err`.
    public static func start(_ arguments: [String], in directory: URL, label: String) throws -> LoggedProcess {
        let out = directory.appendingPathComponent("\(label).out")
        let err = directory.appendingPathComponent("\(label).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = ForageProcess.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["FORAGE_STORE"] = nil
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return LoggedProcess(process: process, stdoutFile: out, stderrFile: err)
    }

    public var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Waits until stderr has a line containing `text` and returns that line, or nil after `timeout` seconds or
    /// when the process exits first.
    public func waitForStderrLine(containing text: String, timeout: Double = 30) async throws -> String? {
        let end = Date().addingTimeInterval(timeout)
        // The check comes before the deadline's: a test task that other tests kept off the cooperative threads past
        // the deadline still sees a line that arrived meanwhile.
        while true {
            if let line = stderr.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning || Date() >= end { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the process to exit, at most `timeout` seconds; true when it did.
    public func waitForExit(timeout: Double) async throws -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > end { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// SIGKILL, and reap it.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
