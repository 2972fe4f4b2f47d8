import ForageCore
import ForageStore
import Foundation

/// The DESIGN §4 `<trial>` object as compact JSON with sorted keys, written byte by byte into a reused buffer:
/// listing a million trials through `JSONSerialization`, or through string concatenation, costs minutes.
enum TrialJSONWriter {
    /// Appends one trial's object to `bytes`; `rank` adds the leaderboard's rank.
    static func write(_ trial: TrialRecord, rank: Int? = nil, into bytes: inout [UInt8]) {
        var out = JSONBytes(bytes: bytes)
        bytes = []
        out.raw("{\"attempt\":")
        out.int(trial.attempt)
        out.raw(",\"data_version\":")
        out.int(trial.dataVersion)
        out.raw(",\"decisions\":[")
        for (index, decision) in trial.decisions.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"action\":")
            out.string(decision.action)
            out.raw(",\"cutoff\":")
            out.number(decision.cutoff)
            out.raw(",\"reason\":")
            out.string(decision.reason)
            out.raw(",\"rung\":")
            out.int(decision.rung)
            out.raw(",\"step\":")
            out.int(decision.step)
            out.raw(",\"value\":")
            out.number(decision.value)
            out.raw("}")
        }
        out.raw("],\"duration_s\":")
        out.number(trial.duration)
        // Multi-objective and constrained experiments' fields; absent for one unconstrained objective.
        // `front` is null for an infeasible trial (it belongs to no front), absent outside front-ranked listings.
        let ranked = trial.front != nil || !trial.isFeasible
        if let violation = trial.violation {
            out.raw(",\"feasible\":")
            out.raw(violation <= 0 ? "true" : "false")
        }
        out.raw(",\"finished_at\":")
        out.timestamp(trial.finishedAt)
        if ranked {
            out.raw(",\"front\":")
            out.int(trial.front)
        }
        out.raw(",\"last_step\":")
        out.int(trial.lastStep)
        out.raw(",\"message\":")
        out.string(trial.message)
        out.raw(",\"metrics\":{")
        for (index, name) in trial.metrics.keys.sorted().enumerated() {
            if index > 0 { out.raw(",") }
            out.string(name)
            out.raw(":")
            out.number(trial.metrics[name])
        }
        out.raw("},\"number\":")
        out.int(trial.number)
        out.raw(",\"params\":{")
        for (index, name) in trial.params.names.enumerated() {
            if index > 0 { out.raw(",") }
            out.string(name)
            out.raw(":")
            switch trial.params[name] {
            case .double(let number): out.number(number)
            case .int(let number): out.int(number)
            case .string(let text): out.string(text)
            case .bool(let flag): out.raw(flag ? "true" : "false")
            case nil: out.raw("null")
            }
        }
        out.raw("}")
        if let rank {
            out.raw(",\"rank\":")
            out.int(rank)
        }
        out.raw(",\"reason\":")
        out.string(trial.reasonText)
        out.raw(",\"requeued\":")
        out.raw(trial.requeued ? "true" : "false")
        out.raw(",\"retry_of\":")
        out.int(trial.retryOf)
        out.raw(",\"started_at\":")
        out.timestamp(trial.startedAt)
        out.raw(",\"state\":")
        out.string(trial.state.rawValue)
        out.raw(",\"value\":")
        out.number(trial.value)
        if let values = trial.values {
            out.raw(",\"values\":[")
            for (index, value) in values.enumerated() {
                if index > 0 { out.raw(",") }
                out.number(value)
            }
            out.raw("]")
        }
        if let violation = trial.violation {
            out.raw(",\"violation\":")
            out.number(violation)
        }
        out.raw(",\"worker\":")
        out.string(trial.worker)
        out.raw("}")
        bytes = out.bytes
    }

    /// A string as a JSON literal, or `null`.
    static func string(_ value: String?) -> String {
        value.map(JSONText.quoted) ?? "null"
    }
}

/// JSON values appended to a byte buffer.
struct JSONBytes {
    var bytes: [UInt8]

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int?) {
        guard let value else { return raw("null") }
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func number(_ value: Double?) {
        guard let value, value.isFinite else { return raw("null") }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// A string literal: safe ASCII is copied as is; quotes, backslashes and control characters are escaped.
    mutating func string(_ value: String?) {
        guard let value else { return raw("null") }
        let utf8 = value.utf8
        if !utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            bytes.append(0x22)
            bytes.append(contentsOf: utf8)
            bytes.append(0x22)
        } else {
            bytes.append(contentsOf: JSONText.quoted(value).utf8)
        }
    }

    mutating func timestamp(_ date: Date?) {
        string(UTCTimestamp.text(date))
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
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        func pad(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                digits.append(UInt8(0x30 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        pad(Int(parts.tm_year) + 1900, 4)
        digits.append(0x2D)
        pad(Int(parts.tm_mon) + 1, 2)
        digits.append(0x2D)
        pad(Int(parts.tm_mday), 2)
        digits.append(0x54)
        pad(Int(parts.tm_hour), 2)
        digits.append(0x3A)
        pad(Int(parts.tm_min), 2)
        digits.append(0x3A)
        pad(Int(parts.tm_sec), 2)
        digits.append(0x2E)
        pad(millis, 3)
        digits.append(0x5A)
        return String(decoding: digits, as: UTF8.self)
    }
}
