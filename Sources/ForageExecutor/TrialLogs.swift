import Foundation
import Synchronization

/// A command trial's log lines: written to `stdout.log` / `stderr.log` in the trial folder as they arrive, with the
/// last lines of stderr kept for the failure message.
final class TrialLogs: Sendable {
    private struct State {
        var stdout: FileHandle?
        var stderr: FileHandle?
        var stderrTail: [String] = []
    }

    private let state: Mutex<State>
    static let tailLines = 12

    init(directory: URL) {
        func open(_ name: String) -> FileHandle? {
            let url = directory.appendingPathComponent(name)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            return try? FileHandle(forWritingTo: url)
        }
        state = Mutex(State(stdout: open("stdout.log"), stderr: open("stderr.log")))
    }

    func stdout(_ line: String) {
        state.withLock { try? $0.stdout?.write(contentsOf: Data((line + "\n").utf8)) }
    }

    func stderr(_ line: String) {
        state.withLock { state in
            try? state.stderr?.write(contentsOf: Data((line + "\n").utf8))
            state.stderrTail.append(line)
            if state.stderrTail.count > Self.tailLines { state.stderrTail.removeFirst() }
        }
    }

    func close() {
        state.withLock { state in
            try? state.stdout?.close()
            try? state.stderr?.close()
            state.stdout = nil
            state.stderr = nil
        }
    }

    /// "; stderr: …" with the last lines of stderr, or nothing.
    var tailSuffix: String {
        let tail = state.withLock { $0.stderrTail }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !tail.isEmpty else { return "" }
        return "; stderr: " + String(tail.suffix(1500))
    }
}
