import ForageCore
import ForageStore
import Foundation
import GRDB

extension SQLiteModelRegistry {
    public func models() throws(RegistryError) -> [ModelSummary] {
        try read { db in
            let aliases = try Self.aliasMap(db)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id, m.name, m.created_at, MAX(v.version) AS latest, COUNT(v.version) AS n, MAX(v.created_at) AS updated
                    FROM models m LEFT JOIN model_versions v ON v.model_id = m.id GROUP BY m.id ORDER BY m.name
                    """
            ).map { row in
                let created: Double = row["created_at"]
                return ModelSummary(
                    name: row["name"], latestVersion: row["latest"] ?? 0, versionCount: row["n"] ?? 0,
                    aliases: aliases[row["id"] as Int64] ?? [:], createdAt: Date(timeIntervalSince1970: created),
                    updatedAt: Date(timeIntervalSince1970: row["updated"] ?? created))
            }
        }
    }

    public func versions(of model: String) throws(RegistryError) -> [ModelVersion] {
        try read { db in
            let id = try Self.modelID(db, model)
            let aliases = try Self.aliasMap(db)[id] ?? [:]
            return try Row.fetchAll(db, sql: "SELECT * FROM model_versions WHERE model_id = ? ORDER BY version", arguments: [id])
                .map { Self.version($0, model: model, aliases: aliases) }
        }
    }

    public func resolve(_ reference: ModelReference) throws(RegistryError) -> ModelVersion {
        try read { db in
            let id = try Self.modelID(db, reference.model)
            let number = try Self.number(db, modelID: id, reference)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE model_id = ? AND version = ?", arguments: [id, number])
            else { throw RegistryError.noVersion(model: reference.model, version: number, latest: try Self.latest(db, id)) }
            return Self.version(row, model: reference.model, aliases: try Self.aliasMap(db)[id] ?? [:])
        }
    }

    public func resolveNumber(_ reference: ModelReference) throws(RegistryError) -> Int {
        try read { db in try Self.number(db, modelID: try Self.modelID(db, reference.model), reference) }
    }

    /// The version number a reference means, checked to exist.
    static func number(_ db: Database, modelID id: Int64, _ reference: ModelReference) throws -> Int {
        switch reference.selector {
        case .latest:
            let latest = try latest(db, id)
            guard latest > 0 else { throw RegistryError.noVersion(model: reference.model, version: 1, latest: 0) }
            return latest
        case .version(let number):
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?", arguments: [id, number]) != nil
            else { throw RegistryError.noVersion(model: reference.model, version: number, latest: try latest(db, id)) }
            return number
        case .alias(let alias):
            if let number = try Int.fetchOne(db, sql: "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", arguments: [id, alias]) {
                return number
            }
            let known = try String.fetchAll(db, sql: "SELECT alias FROM model_aliases WHERE model_id = ? ORDER BY alias", arguments: [id])
            throw RegistryError.noAlias(model: reference.model, alias: alias, known: known)
        }
    }

    static func latest(_ db: Database, _ id: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_versions WHERE model_id = ?", arguments: [id]) ?? 0
    }

    /// model id → alias → version.
    static func aliasMap(_ db: Database) throws -> [Int64: [String: Int]] {
        var map: [Int64: [String: Int]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT model_id, alias, version FROM model_aliases") {
            map[row["model_id"], default: [:]][row["alias"]] = row["version"]
        }
        return map
    }

    static func version(_ row: Row, model: String, aliases: [String: Int]) -> ModelVersion {
        let number: Int = row["version"]
        let params = (row["params"] as String?).flatMap { try? JSONDecoder().decode(ParameterSet.self, from: Data($0.utf8)) } ?? ParameterSet()
        let lineage = Lineage(
            experiment: row["experiment"], trial: row["trial"], params: params, metrics: MetricsJSON.decode(row["metrics"]),
            objectiveMetric: row["objective_metric"], direction: (row["direction"] as String?).flatMap(Direction.init(rawValue:)),
            specSHA256: row["spec_sha256"], dataSHA256: row["data_sha256"])
        return ModelVersion(
            model: model, version: number, blobSHA256: row["blob_sha256"], blobSize: row["blob_size"], lineage: lineage,
            description: row["description"], createdAt: Date(timeIntervalSince1970: row["created_at"] ?? 0),
            aliases: aliases.filter { $0.value == number }.map(\.key).sorted(),
            flavor: (row["flavor"] as String?).flatMap(ModelFlavor.init(rawValue:)) ?? .forage,
            artifacts: (row["artifacts"] as String?).flatMap { try? JSONDecoder().decode([ArtifactFile].self, from: Data($0.utf8)) } ?? [])
    }
}
