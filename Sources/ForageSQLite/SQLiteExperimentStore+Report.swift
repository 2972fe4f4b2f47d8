import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteExperimentStore {
    /// Every trial of the experiment numbered `from` or more (all of them by default), by number, with only what
    /// plots need (no metrics, no decisions): one short read transaction, cheap at 100 000 trials.
    public func trialPoints(_ experiment: ExperimentRecord, from first: Int) async throws -> [TrialPoint] {
        let id = experiment.id
        return try await read { db in
            var points: [TrialPoint] = []
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT number, state, value, params, reason, last_step, requeued FROM trials
                    WHERE experiment_id = ? AND number >= ? ORDER BY number
                    """,
                arguments: [id, first])
            while let row = try cursor.next() {
                let params: String? = row[3]
                points.append(
                    TrialPoint(
                        number: row[0], state: TrialState(rawValue: row[1] ?? "") ?? .failed, value: row[2],
                        params: params.flatMap(FlatParamsParser.parse) ?? Self.decodeParams(params),
                        reason: (row[4] as String?).flatMap(FailureReason.init(rawValue:)), lastStep: row[5], requeued: row[6] ?? false))
            }
            return points
        }
    }

    /// A cheap marker of an experiment's progress, for pollers: its state, its highest trial number and how many
    /// trials are running or queued, read from indexes only (the same cost at 100 000 trials as at 10). A trial
    /// that starts raises the highest number; one that finishes lowers the running count unless another starts.
    public func progressMarker(experiment name: String) async throws -> String {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, state FROM experiments WHERE name = ?", arguments: [name]) else {
                throw StoreError.noExperiment(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY id"))
            }
            let id: Int64 = row["id"]
            let state: String = row["state"]
            let highest = try Int.fetchOne(db, sql: "SELECT MAX(number) FROM trials WHERE experiment_id = ?", arguments: [id]) ?? -1
            var open = ["running": 0, "queued": 0]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT state, COUNT(*) AS n FROM trials WHERE experiment_id = ? AND state IN ('running', 'queued') GROUP BY state",
                arguments: [id])
            {
                open[row["state"] ?? ""] = row["n"]
            }
            return "\(state):\(highest):\(open["running"] ?? 0):\(open["queued"] ?? 0)"
        }
    }

    /// The intermediate values of `metric` for the given trials, by trial number, each curve ordered by step.
    public func curves(_ experiment: ExperimentRecord, metric: String, trials numbers: [Int]) async throws -> [Int: [CurvePoint]] {
        guard !numbers.isEmpty else { return [:] }
        let id = experiment.id
        return try await read { db in
            var curves: [Int: [CurvePoint]] = [:]
            for chunk in stride(from: 0, to: numbers.count, by: 500) {
                let list = numbers[chunk..<min(chunk + 500, numbers.count)].map(String.init).joined(separator: ",")
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT trial, step, value FROM intermediate_values
                        WHERE experiment_id = ? AND name = ? AND trial IN (\(list)) ORDER BY trial, step
                        """, arguments: [id, metric])
                while let row = try cursor.next() {
                    curves[row["trial"], default: []].append(CurvePoint(step: row["step"], value: row["value"]))
                }
            }
            return curves
        }
    }

    /// The scheduler decisions of the given trials, by trial number, in the order they were taken.
    public func decisions(_ experiment: ExperimentRecord, trials numbers: [Int]) async throws -> [Int: [DecisionRecord]] {
        guard !numbers.isEmpty else { return [:] }
        let id = experiment.id
        return try await read { db in
            var decisions: [Int: [DecisionRecord]] = [:]
            for chunk in stride(from: 0, to: numbers.count, by: 500) {
                let list = numbers[chunk..<min(chunk + 500, numbers.count)].map(String.init).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT * FROM decisions WHERE experiment_id = ? AND trial IN (\(list)) ORDER BY id",
                    arguments: [id])
                {
                    decisions[row["trial"], default: []].append(
                        DecisionRecord(
                            step: row["step"], action: row["action"], reason: row["reason"], rung: row["rung"], cutoff: row["cutoff"],
                            value: row["value"]))
                }
            }
            return decisions
        }
    }

    /// Trial numbers that reported at least one intermediate value of `metric`.
    public func trialsWithCurves(_ experiment: ExperimentRecord, metric: String) async throws -> Set<Int> {
        let id = experiment.id
        return try await read { db in
            Set(
                try Int.fetchAll(
                    db, sql: "SELECT DISTINCT trial FROM intermediate_values WHERE experiment_id = ? AND name = ?",
                    arguments: [id, metric]))
        }
    }
}

/// Reads the flat JSON objects the store writes for parameters (`{"act":"relu","lr":0.01,"layers":2}`) without
/// Foundation's decoders, which dominate the cost of reading 100 000 trials. Anything it does not expect (escapes,
/// nesting, odd spacing) returns nil, and the caller falls back to the Codable decoder.
enum FlatParamsParser {
    static func parse(_ text: String) -> ParameterSet? {
        var values: [String: ParameterValue] = [:]
        // Room for a typical space at once: growing a dictionary key by key rehashes it twice by the fourth.
        values.reserveCapacity(8)
        let bytes = Array(text.utf8)
        var i = 0
        func skipSpaces() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 } }
        func string() -> String? {
            guard i < bytes.count, bytes[i] == 0x22 else { return nil }
            let start = i + 1
            var end = start
            while end < bytes.count, bytes[end] != 0x22 {
                if bytes[end] == 0x5C { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            i = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        skipSpaces()
        guard i < bytes.count, bytes[i] == 0x7B else { return nil }
        i += 1
        skipSpaces()
        if i < bytes.count, bytes[i] == 0x7D { return ParameterSet() }
        while i < bytes.count {
            skipSpaces()
            guard let key = string() else { return nil }
            skipSpaces()
            guard i < bytes.count, bytes[i] == 0x3A else { return nil }
            i += 1
            skipSpaces()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case 0x22:
                guard let value = string() else { return nil }
                values[key] = .string(value)
            case 0x74, 0x66:
                let isTrue = bytes[i] == 0x74
                let word = isTrue ? "true" : "false"
                guard i + word.utf8.count <= bytes.count, String(decoding: bytes[i..<(i + word.utf8.count)], as: UTF8.self) == word else {
                    return nil
                }
                i += word.utf8.count
                values[key] = .bool(isTrue)
            default:
                let start = i
                var integral = true
                while i < bytes.count, bytes[i] != 0x2C, bytes[i] != 0x7D, bytes[i] != 0x20 {
                    if bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45 { integral = false }
                    i += 1
                }
                let token = String(decoding: bytes[start..<i], as: UTF8.self)
                if integral, let int = Int(token) {
                    values[key] = .int(int)
                } else if let double = Double(token) {
                    values[key] = .double(double)
                } else {
                    return nil
                }
            }
            skipSpaces()
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x2C {
                i += 1
                continue
            }
            if bytes[i] == 0x7D {
                return i + 1 == bytes.count || bytes[(i + 1)...].allSatisfy({ $0 == 0x20 || $0 == 0x0A }) ? ParameterSet(values) : nil
            }
            return nil
        }
        return nil
    }
}
