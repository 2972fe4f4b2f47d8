import ForageStore
import Foundation
import GRDB

extension SQLiteModelRegistry {
    @discardableResult
    public func setAlias(model: String, alias: String, version: Int, kind: AliasMove.Kind, reason: String) throws(RegistryError) -> AliasMove {
        guard ModelName.isValid(alias) else { throw .invalidName(alias) }
        return try write { db in
            let id = try Self.modelID(db, model)
            _ = try Self.number(db, modelID: id, ModelReference(model: model, selector: .version(version)))
            return try Self.moveAlias(db, modelID: id, model: model, alias: alias, to: version, kind: kind, reason: reason)
        }
    }

    @discardableResult
    public func rollback(model: String, alias: String) throws(RegistryError) -> AliasMove {
        try write { db in
            let id = try Self.modelID(db, model)
            _ = try Self.number(db, modelID: id, ModelReference(model: model, selector: .alias(alias)))
            // Undo semantics: each rollback undoes the latest move not undone yet, so repeated rollbacks walk back.
            var undone = 0
            var target: Int?
            for row in try Row.fetchAll(
                db, sql: "SELECT old_version, kind FROM alias_history WHERE model_id = ? AND alias = ? ORDER BY id DESC", arguments: [id, alias])
            {
                if (row["kind"] as String) == AliasMove.Kind.rollback.rawValue {
                    undone += 1
                } else if undone > 0 {
                    undone -= 1
                } else {
                    target = row["old_version"]
                    break
                }
            }
            guard let target else { throw RegistryError.nothingToRollBack(model: model, alias: alias) }
            return try Self.moveAlias(db, modelID: id, model: model, alias: alias, to: target, kind: .rollback, reason: "rollback")
        }
    }

    public func history(of model: String) throws(RegistryError) -> [AliasMove] {
        try read { db in
            let id = try Self.modelID(db, model)
            return try Row.fetchAll(db, sql: "SELECT * FROM alias_history WHERE model_id = ? ORDER BY id", arguments: [id]).map { row in
                AliasMove(
                    model: model, alias: row["alias"], oldVersion: row["old_version"], newVersion: row["new_version"],
                    kind: AliasMove.Kind(rawValue: row["kind"]) ?? .set, reason: row["reason"],
                    at: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    /// Points the alias at `version` and appends the move to the history (inside the caller's transaction).
    static func moveAlias(_ db: Database, modelID id: Int64, model: String, alias: String, to version: Int, kind: AliasMove.Kind, reason: String) throws -> AliasMove {
        let now = Date()
        let old = try Int.fetchOne(db, sql: "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", arguments: [id, alias])
        try db.execute(
            sql: """
                INSERT INTO model_aliases (model_id, alias, version, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
                """, arguments: [id, alias, version, now.timeIntervalSince1970])
        try db.execute(
            sql: "INSERT INTO alias_history (model_id, alias, old_version, new_version, kind, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [id, alias, old, version, kind.rawValue, reason, now.timeIntervalSince1970])
        return AliasMove(model: model, alias: alias, oldVersion: old, newVersion: version, kind: kind, reason: reason, at: now)
    }
}
