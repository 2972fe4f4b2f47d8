import ForageCore
import Foundation

/// Optuna's RDB storage as Optuna 5 creates it in SQLite (schema version 12, alembic revision `v3.2.0.a`, the one
/// current since Optuna 3.2), and how Forage's values map onto it.
enum OptunaSchema {
    static let schemaVersion = 12
    static let alembicRevision = "v3.2.0.a"
    static let libraryVersion = "5.0.0"

    static let tables = """
        CREATE TABLE studies (study_id INTEGER NOT NULL, study_name VARCHAR(512) NOT NULL, PRIMARY KEY (study_id));
        CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name);
        CREATE TABLE version_info (version_info_id INTEGER NOT NULL, schema_version INTEGER, library_version VARCHAR(256),
            PRIMARY KEY (version_info_id), CHECK (version_info_id=1));
        CREATE TABLE study_directions (study_direction_id INTEGER NOT NULL, direction VARCHAR(8) NOT NULL, study_id INTEGER NOT NULL,
            objective INTEGER NOT NULL, PRIMARY KEY (study_direction_id), UNIQUE (study_id, objective), FOREIGN KEY(study_id) REFERENCES studies (study_id));
        CREATE TABLE study_user_attributes (study_user_attribute_id INTEGER NOT NULL, study_id INTEGER, "key" VARCHAR(512), value_json TEXT,
            PRIMARY KEY (study_user_attribute_id), UNIQUE (study_id, "key"), FOREIGN KEY(study_id) REFERENCES studies (study_id));
        CREATE TABLE study_system_attributes (study_system_attribute_id INTEGER NOT NULL, study_id INTEGER, "key" VARCHAR(512), value_json TEXT,
            PRIMARY KEY (study_system_attribute_id), UNIQUE (study_id, "key"), FOREIGN KEY(study_id) REFERENCES studies (study_id));
        CREATE TABLE trials (trial_id INTEGER NOT NULL, number INTEGER, study_id INTEGER, state VARCHAR(8) NOT NULL, datetime_start DATETIME,
            datetime_complete DATETIME, PRIMARY KEY (trial_id), FOREIGN KEY(study_id) REFERENCES studies (study_id));
        CREATE INDEX ix_trials_study_id ON trials (study_id);
        CREATE TABLE trial_user_attributes (trial_user_attribute_id INTEGER NOT NULL, trial_id INTEGER, "key" VARCHAR(512), value_json TEXT,
            PRIMARY KEY (trial_user_attribute_id), UNIQUE (trial_id, "key"), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));
        CREATE TABLE trial_system_attributes (trial_system_attribute_id INTEGER NOT NULL, trial_id INTEGER, "key" VARCHAR(512), value_json TEXT,
            PRIMARY KEY (trial_system_attribute_id), UNIQUE (trial_id, "key"), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));
        CREATE TABLE trial_params (param_id INTEGER NOT NULL, trial_id INTEGER, param_name VARCHAR(512), param_value FLOAT, distribution_json TEXT,
            PRIMARY KEY (param_id), UNIQUE (trial_id, param_name), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));
        CREATE TABLE trial_values (trial_value_id INTEGER NOT NULL, trial_id INTEGER NOT NULL, objective INTEGER NOT NULL, value FLOAT,
            value_type VARCHAR(7) NOT NULL, PRIMARY KEY (trial_value_id), UNIQUE (trial_id, objective), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));
        CREATE TABLE trial_intermediate_values (trial_intermediate_value_id INTEGER NOT NULL, trial_id INTEGER NOT NULL, step INTEGER NOT NULL,
            intermediate_value FLOAT, intermediate_value_type VARCHAR(7) NOT NULL, PRIMARY KEY (trial_intermediate_value_id), UNIQUE (trial_id, step),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id));
        CREATE TABLE trial_heartbeats (trial_heartbeat_id INTEGER NOT NULL, trial_id INTEGER NOT NULL, heartbeat DATETIME NOT NULL,
            PRIMARY KEY (trial_heartbeat_id), UNIQUE (trial_id), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));
        CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
        """

    /// Optuna's state names.
    static func state(_ state: TrialState) -> String {
        switch state {
        case .completed: return "COMPLETE"
        case .pruned: return "PRUNED"
        case .failed: return "FAIL"
        case .running: return "RUNNING"
        case .queued: return "WAITING"
        }
    }

    /// `FINITE`, `INF_POS` or `INF_NEG` (NaN has no Optuna form and is left out).
    static func valueType(_ value: Double) -> String? {
        if value.isNaN { return nil }
        if value == .infinity { return "INF_POS" }
        if value == -.infinity { return "INF_NEG" }
        return "FINITE"
    }

    /// A stored value with its type, as Optuna reads it back.
    static func value(_ stored: Double?, type: String) -> Double? {
        switch type {
        case "INF_POS": return .infinity
        case "INF_NEG": return -.infinity
        default: return stored
        }
    }

    static func json(_ number: Double) -> String {
        number.isFinite ? "\(number)" : "null"
    }

    static func json(_ value: ParameterValue) -> String {
        switch value {
        case .double(let number): return json(number)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .string(let text): return JSONText.quoted(text)
        }
    }

    /// Optuna's `distribution_json` for a Forage distribution.
    static func distributionJSON(_ distribution: Distribution) -> String {
        switch distribution {
        case .float(let low, let high, let log, let step):
            return #"{"name": "FloatDistribution", "attributes": {"step": \#(step.map(json) ?? "null"), "low": \#(json(low)), "high": \#(json(high)), "log": \#(log)}}"#
        case .int(let low, let high, let log, let step):
            return #"{"name": "IntDistribution", "attributes": {"log": \#(log), "step": \#(step), "low": \#(low), "high": \#(high)}}"#
        case .categorical(let choices):
            return #"{"name": "CategoricalDistribution", "attributes": {"choices": [\#(choices.map(json).joined(separator: ", "))]}}"#
        }
    }

    /// Optuna's internal `param_value` for a value of `distribution` (a categorical's index), or nil when the value
    /// does not belong to it.
    static func internalValue(_ value: ParameterValue, in distribution: Distribution) -> Double? {
        if case .categorical(let choices) = distribution {
            return choices.firstIndex(of: value).map(Double.init)
        }
        return value.doubleValue
    }

    /// Optuna's datetime text (local time, microseconds), and back.
    static func datetime(_ date: Date?) -> String? {
        date.map { formatter.string(from: $0) }
    }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return formatter.date(from: text) ?? shortFormatter.date(from: text)
    }

    nonisolated(unsafe) static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
        return formatter
    }()

    nonisolated(unsafe) static let shortFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()
}

/// An Optuna storage that cannot be written or read, in words.
public struct OptunaError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
