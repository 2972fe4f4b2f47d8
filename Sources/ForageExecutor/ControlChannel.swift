import Foundation
import Synchronization

/// The control channel of a command trial (DESIGN §5, protocol version 1): how Forage tells a cooperating script
/// (one using the `forage` Python package, or anything that follows the protocol) what the scheduler decided.
///
/// Two files in the trial folder, named in the trial's environment:
/// - `FORAGE_CONTROL_READER` (`control.reader`): the script creates it (`{"version": 1, "pid": N}`) before its first
///   report, to say it reads the channel. Without it Forage behaves as for any program (SIGTERM on a stop).
/// - `FORAGE_CONTROL_FILE` (`control.json`): Forage replaces it atomically (write, then rename) with
///   `{"version": 1, "seq": N, "step": K|null, "action": "continue"|"stop", "reason": null|"pruned"|"timeout"|
///   "interrupted", "grace_s": G}`. When `FORAGE_CONTROL_ANSWERS` is `1` (a scheduler judges reports), every report
///   with a step K is answered by a write with `step: K`, so the script may wait for it; a stop is written whatever
///   the step.
///
/// A stop for `pruned` sent to a script that announced itself is cooperative: Forage waits `grace_s` for the
/// script to leave on its own, then sends SIGTERM, then SIGKILL after another `grace_s`.
final class ControlChannel: Sendable {
    static let version = 1
    static let fileName = "control.json"
    static let readerName = "control.reader"

    let file: URL
    let reader: URL
    /// Whether every report with a step is answered (a scheduler judges reports).
    let answers: Bool
    let grace: Double

    private struct State {
        var sequence = 0
        var readerSeen = false
        var stopped = false
    }

    private let state = Mutex(State())

    /// The channel in `directory`; files an earlier attempt left there are removed.
    init(directory: URL, answers: Bool, grace: Double) {
        file = directory.appendingPathComponent(Self.fileName)
        reader = directory.appendingPathComponent(Self.readerName)
        self.answers = answers
        self.grace = grace
        try? FileManager.default.removeItem(at: file)
        try? FileManager.default.removeItem(at: reader)
    }

    /// The variables that name the channel in the trial's environment.
    var environment: [String: String] {
        [
            "FORAGE_CONTROL_FILE": file.path, "FORAGE_CONTROL_READER": reader.path, "FORAGE_CONTROL_VERSION": String(Self.version),
            "FORAGE_CONTROL_ANSWERS": answers ? "1" : "0", "FORAGE_GRACE_S": Self.format(grace),
        ]
    }

    /// True once the script has announced that it reads the channel.
    var hasReader: Bool {
        if state.withLock({ $0.readerSeen }) { return true }
        guard FileManager.default.fileExists(atPath: reader.path) else { return false }
        state.withLock { $0.readerSeen = true }
        return true
    }

    /// Answers the report at `step` with "continue" (only when answers are on and the script reads the channel).
    func answer(step: Int) {
        guard answers, hasReader else { return }
        write(step: step, action: "continue", reason: nil)
    }

    /// Writes a stop decision (once); later answers repeat it.
    func stop(reason: String, step: Int?) {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        write(step: step, action: "stop", reason: reason)
    }

    private func write(step: Int?, action: String, reason: String?) {
        let sequence = state.withLock { state -> Int? in
            if state.stopped && action != "stop" { return nil }
            state.sequence += 1
            return state.sequence
        }
        guard let sequence else { return }
        let stepText = step.map(String.init) ?? "null"
        let reasonText = reason.map { "\"\($0)\"" } ?? "null"
        let text = "{\"version\": \(Self.version), \"seq\": \(sequence), \"step\": \(stepText), \"action\": \"\(action)\", "
            + "\"reason\": \(reasonText), \"grace_s\": \(Self.format(grace))}\n"
        try? Data(text.utf8).write(to: file, options: .atomic)
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e9 ? String(Int(seconds)) : String(seconds)
    }
}
