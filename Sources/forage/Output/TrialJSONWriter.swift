import ForageCore
import ForageStore
import Foundation

/// The DESIGN §4 `<trial>` object as compact JSON text with sorted keys, written by hand: listing a million trials
/// through `JSONSerialization` would cost minutes. Its fields and values match `RecordJSON.trial`.
enum TrialJSONWriter {
    /// One trial; `rank` adds the leaderboard's rank.
    static func object(_ trial: TrialRecord, rank: Int? = nil) -> String {
        var text = "{\"attempt\":\(trial.attempt),\"decisions\":["
        for (index, decision) in trial.decisions.enumerated() {
            if index > 0 { text += "," }
            text += "{\"action\":\(JSONText.quoted(decision.action)),\"cutoff\":\(number(decision.cutoff)),"
                + "\"reason\":\(string(decision.reason)),\"rung\":\(decision.rung.map(String.init) ?? "null"),"
                + "\"step\":\(decision.step),\"value\":\(number(decision.value))}"
        }
        text += "],\"duration_s\":\(number(trial.duration)),\"finished_at\":\(string(UTCTimestamp.text(trial.finishedAt))),"
        text += "\"last_step\":\(trial.lastStep.map(String.init) ?? "null"),\"message\":\(string(trial.message)),\"metrics\":{"
        for (index, name) in trial.metrics.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            text += JSONText.quoted(name) + ":" + number(trial.metrics[name])
        }
        text += "},\"number\":\(trial.number),\"params\":{"
        for (index, name) in trial.params.names.sorted().enumerated() {
            if index > 0 { text += "," }
            text += JSONText.quoted(name) + ":" + (trial.params[name].map(parameter) ?? "null")
        }
        text += "}"
        if let rank { text += ",\"rank\":\(rank)" }
        text += ",\"reason\":\(string(reason(trial))),\"requeued\":\(trial.requeued),"
        text += "\"retry_of\":\(trial.retryOf.map(String.init) ?? "null"),\"started_at\":\(string(UTCTimestamp.text(trial.startedAt))),"
        text += "\"state\":\(JSONText.quoted(trial.state.rawValue)),\"value\":\(number(trial.value)),\"worker\":\(string(trial.worker))}"
        return text
    }

    /// Why the trial ended as it did: the failure reason, or for a pruned trial the scheduler's reason.
    static func reason(_ trial: TrialRecord) -> String? {
        if let reason = trial.reason { return reason.rawValue }
        guard trial.state == .pruned else { return nil }
        return trial.decisions.last { $0.action == "stop" }.map { $0.reason ?? "stopped at step \($0.step)" }
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return value.description
    }

    static func string(_ value: String?) -> String {
        value.map(JSONText.quoted) ?? "null"
    }

    static func parameter(_ value: ParameterValue) -> String {
        switch value {
        case .double(let number): return Self.number(number)
        case .int(let number): return String(number)
        case .string(let text): return JSONText.quoted(text)
        case .bool(let flag): return flag ? "true" : "false"
        }
    }
}

/// ISO 8601 UTC timestamps with milliseconds (`2026-12-01T22:32:22.123Z`), without a formatter object per call.
enum UTCTimestamp {
    static func text(_ date: Date?) -> String? {
        guard let date else { return nil }
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int(((seconds - Double(whole)) * 1000).rounded()))
        var parts = tm()
        guard gmtime_r(&whole, &parts) != nil else { return nil }
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
