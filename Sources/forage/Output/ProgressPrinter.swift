import ForageCore
import ForageEngine
import Foundation
import Synchronization

/// Progress of a run: a live, rewritten line on a terminal; one plain line per finished trial otherwise.
enum ProgressPrinter {
    private static let lastLength = Mutex(0)

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func make() -> @Sendable (ProgressEvent) -> Void {
        if isTerminal {
            return { event in live(event) }
        }
        return { event in plain(event) }
    }

    /// Ends the live line so the summary starts on a fresh one.
    static func finish() {
        if isTerminal, lastLength.withLock({ $0 }) > 0 { print("") }
    }

    private static func live(_ event: ProgressEvent) {
        var line = "\(event.done)/\(event.total) done, \(event.running) running, \(event.failed) failed"
        if let best = event.best { line += ", best \(Format.number(best))" }
        line += ", " + Format.duration(event.elapsed)
        if event.doneThisRun > 0, event.done < event.total {
            let eta = event.elapsed / Double(event.doneThisRun) * Double(event.total - event.done)
            line += ", ETA " + Format.duration(eta)
        }
        let padding = lastLength.withLock { last -> String in
            defer { last = line.count }
            return String(repeating: " ", count: max(0, last - line.count))
        }
        FileHandle.standardOutput.write(Data(("\r" + line + padding).utf8))
    }

    private static func plain(_ event: ProgressEvent) {
        var line = "trial \(event.trial) \(event.state.rawValue)"
        if let value = event.value { line += " value=\(Format.number(value))" }
        if let reason = event.reason { line += " (\(reason.rawValue): \(Format.oneLine(event.message ?? "")))" }
        let params = event.params.map { "\($0.key)=\(Format.parameter($0.value))" }.joined(separator: " ")
        if !params.isEmpty { line += " " + params }
        line += " [\(event.done)/\(event.total)"
        if let best = event.best, let trial = event.bestTrial { line += ", best \(Format.number(best)) @ \(trial)" }
        line += "]"
        print(line)
        fflush(nil)
    }
}

/// Number and duration formatting shared by the CLI's outputs.
enum Format {
    /// Up to 6 significant digits, no trailing noise.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value != 0, abs(value) < 1e-4 || abs(value) >= 1e7 { return String(format: "%.5e", value) }
        var text = String(format: "%.6g", value)
        if text.contains("e") { return text }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Full precision for machine formats (CSV, JSON): round-trips exactly.
    /// A parameter for a human: numbers to 6 significant digits, other values as written.
    static func parameter(_ value: ParameterValue) -> String {
        if case .double(let number) = value { return Format.number(number) }
        return value.description
    }

    static func exact(_ value: Double) -> String { "\(value)" }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%dh%02dm", Int(seconds) / 3600, (Int(seconds) % 3600) / 60)
    }

    static func oneLine(_ text: String, limit: Int = 160) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " | ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }

    /// Seconds with three decimals (`0.042`), as `%.3f` prints them, without `String(format:)`'s cost per row.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return String(format: "%.3f", value) }
        let millis = Int((abs(value) * 1000).rounded())
        let fraction = String(millis % 1000)
        return (value < 0 && millis > 0 ? "-" : "") + "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func timestamp(_ date: Date?) -> String? {
        guard let date else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
