import ForageCore
import ForageStore
import Foundation
import GRDB

/// `forage import optuna`: reads one study of an Optuna storage in SQLite (`sqlite:///x.db`) as trials for a new
/// Forage experiment, checking every parameter against the spec's search space.
public enum OptunaStudyReader {
    /// The path in an Optuna storage URL: `sqlite:///x.db` is `x.db`, `sqlite:////abs/x.db` is `/abs/x.db`.
    public static func path(of url: String) throws -> String {
        guard url.hasPrefix("sqlite:///") else {
            throw OptunaError("'\(url)' is not an Optuna SQLite storage URL; give sqlite:///PATH (relative) or sqlite:////ABSOLUTE/PATH")
        }
        let path = String(url.dropFirst("sqlite:///".count))
        guard !path.isEmpty else { throw OptunaError("'\(url)' names no file") }
        return path
    }

    /// The trials of study `study` in the storage at `path`, their parameters checked against `space` and the study's
    /// direction against `objective`. The objective's intermediate values come along; user attributes that are
    /// numbers become the trial's other metrics.
    public static func read(path: String, study: String, objective: Objective, space: SearchSpace) throws -> [ImportedTrial] {
        guard FileManager.default.fileExists(atPath: path) else { throw OptunaError("no Optuna storage at \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw OptunaError("cannot open \(path): \(OptunaExport.reason(error))")
        }
        do {
            return try queue.read { db in try read(db, path: path, study: study, objective: objective, space: space) }
        } catch let error as OptunaError {
            throw error
        } catch {
            throw OptunaError("\(path) is not an Optuna storage Forage can read: \(OptunaExport.reason(error))")
        }
    }

    static func read(_ db: Database, path: String, study: String, objective: Objective, space: SearchSpace) throws -> [ImportedTrial] {
        guard let studyID = try Int64.fetchOne(db, sql: "SELECT study_id FROM studies WHERE study_name = ?", arguments: [study]) else {
            let names = try String.fetchAll(db, sql: "SELECT study_name FROM studies ORDER BY study_id")
            throw OptunaError("\(path) has no study '\(study)'; its studies: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        let directions = try String.fetchAll(db, sql: "SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective", arguments: [studyID])
        guard directions.count == 1 else {
            throw OptunaError("study '\(study)' has \(directions.count) objectives; Forage imports single-objective studies")
        }
        let wanted = objective.direction == .minimize ? "MINIMIZE" : "MAXIMIZE"
        guard directions[0] == wanted else {
            throw OptunaError("study '\(study)' is \(directions[0].lowercased())d, but the spec's objective is to \(objective.direction.rawValue) \(objective.metric)")
        }
        var trials: [ImportedTrial] = []
        let rows = try Row.fetchAll(
            db, sql: "SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials WHERE study_id = ? ORDER BY number", arguments: [studyID])
        for row in rows {
            let id: Int64 = row["trial_id"]
            let number: Int = row["number"]
            var params = ParameterSet()
            for param in try Row.fetchAll(db, sql: "SELECT param_name, param_value, distribution_json FROM trial_params WHERE trial_id = ?", arguments: [id]) {
                let name: String = param["param_name"]
                params[name] = try value(param["param_value"], json: param["distribution_json"], name: name, trial: number, space: space)
            }
            let state: String = row["state"]
            var value: Double?
            if let stored = try Row.fetchOne(db, sql: "SELECT value, value_type FROM trial_values WHERE trial_id = ? AND objective = 0", arguments: [id]) {
                value = OptunaSchema.value(stored["value"], type: stored["value_type"])
            }
            let curve = try Row.fetchAll(
                db, sql: "SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE trial_id = ? ORDER BY step",
                arguments: [id]
            ).compactMap { point -> CurvePoint? in
                OptunaSchema.value(point["intermediate_value"], type: point["intermediate_value_type"]).map { CurvePoint(step: point["step"], value: $0) }
            }
            var metrics: [String: Double] = [:]
            for attribute in try Row.fetchAll(db, sql: #"SELECT "key", value_json FROM trial_user_attributes WHERE trial_id = ?"#, arguments: [id]) {
                let key: String = attribute["key"]
                if !key.hasPrefix("forage_"), let text: String = attribute["value_json"], let number = Double(text) { metrics[key] = number }
            }
            let trialState: TrialState
            var requeued = false
            switch state {
            case "COMPLETE":
                trialState = .completed
                guard let value else { throw OptunaError("trial \(number) is COMPLETE but has no value") }
                metrics[objective.metric] = value
            case "PRUNED":
                trialState = .pruned
                if value == nil { value = curve.last?.value }
                if let value { metrics[objective.metric] = value }
            case "FAIL":
                trialState = .failed
            default:
                // RUNNING or WAITING: left unfinished by Optuna; re-queued so `forage resume` runs it.
                trialState = .failed
                requeued = true
            }
            trials.append(
                ImportedTrial(
                    number: number, state: trialState, requeued: requeued, params: params, value: trialState == .failed ? nil : value,
                    metrics: metrics, curve: curve, startedAt: OptunaSchema.date(row["datetime_start"]), finishedAt: OptunaSchema.date(row["datetime_complete"])))
        }
        return trials
    }

    /// A stored parameter as a Forage value, checked against the spec's distribution for it.
    static func value(_ stored: Double, json: String, name: String, trial: Int, space: SearchSpace) throws -> ParameterValue {
        guard let parameter = space[name] else {
            throw OptunaError("trial \(trial) has parameter '\(name)', which the spec's search space lacks; its parameters: \(space.names.joined(separator: ", "))")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        let kind = object?["name"] as? String ?? ""
        let attributes = object?["attributes"] as? [String: Any] ?? [:]
        let value: ParameterValue
        switch kind {
        case "CategoricalDistribution":
            let choices = attributes["choices"] as? [Any] ?? []
            let index = Int(stored)
            guard index >= 0, index < choices.count else { throw OptunaError("trial \(trial): parameter '\(name)' has choice \(index) of \(choices.count)") }
            value = parameterValue(choices[index])
        case "IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution":
            value = .int(Int(stored.rounded()))
        default:
            value = .double(stored)
        }
        // A float distribution in Forage takes an Optuna int value as a float too.
        var fitted = value
        if case .float = parameter.distribution, case .int(let number) = value { fitted = .double(Double(number)) }
        if case .int = parameter.distribution, case .double(let number) = value, number == number.rounded() { fitted = .int(Int(number)) }
        guard parameter.distribution.contains(fitted) else {
            throw OptunaError(
                "trial \(trial): parameter '\(name)' = \(fitted) does not fit the spec's search space (search_space.\(name)); "
                    + "the study's distribution is \(json)")
        }
        return fitted
    }

    static func parameterValue(_ raw: Any) -> ParameterValue {
        if let text = raw as? String { return .string(text) }
        if let number = raw as? NSNumber {
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            if number.doubleValue == number.doubleValue.rounded(), !"\(number)".contains(".") { return .int(number.intValue) }
            return .double(number.doubleValue)
        }
        return .string("\(raw)")
    }
}
