import ForageCore
import ForageStore
import Foundation
import PostgresNIO

extension PostgresModelRegistry {
    /// Runs a read on one connection, mapping errors.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(RegistryError) -> T {
        try await mapped { try await database.withConnection(body) }
    }

    public func models() async throws(RegistryError) -> [ModelSummary] {
        try await read { connection in
            let aliases = try await Self.aliasMap(connection)
            return try await connection.rows(
                """
                SELECT m.id, m.name, m.created_at, MAX(v.version) AS latest, COUNT(v.version) AS n, MAX(v.created_at) AS updated
                FROM models m LEFT JOIN model_versions v ON v.model_id = m.id GROUP BY m.id ORDER BY m.name
                """
            ) { row in
                let created: Double = try row.get("created_at")
                return ModelSummary(
                    name: try row.get("name"), latestVersion: try row.get("latest", as: Int?.self) ?? 0, versionCount: try row.get("n"),
                    aliases: aliases[try row.get("id", as: Int64.self)] ?? [:], createdAt: Date(timeIntervalSince1970: created),
                    updatedAt: Date(timeIntervalSince1970: try row.get("updated", as: Double?.self) ?? created))
            }
        }
    }

    public func versions(of model: String) async throws(RegistryError) -> [ModelVersion] {
        try await read { connection in
            let id = try await Self.modelID(connection, model)
            let aliases = try await Self.aliasMap(connection)[id] ?? [:]
            return try await connection.rows("SELECT * FROM model_versions WHERE model_id = \(id) ORDER BY version") {
                try Self.version($0, model: model, aliases: aliases)
            }
        }
    }

    public func resolve(_ reference: ModelReference) async throws(RegistryError) -> ModelVersion {
        try await read { connection in
            let id = try await Self.modelID(connection, reference.model)
            let number = try await Self.number(connection, modelID: id, reference)
            let aliases = try await Self.aliasMap(connection)[id] ?? [:]
            guard let version = try await connection.row(
                "SELECT * FROM model_versions WHERE model_id = \(id) AND version = \(number)", { try Self.version($0, model: reference.model, aliases: aliases) })
            else { throw RegistryError.noVersion(model: reference.model, version: number, latest: try await Self.latest(connection, id)) }
            return version
        }
    }

    public func resolveNumber(_ reference: ModelReference) async throws(RegistryError) -> Int {
        try await read { connection in
            try await Self.number(connection, modelID: try await Self.modelID(connection, reference.model), reference)
        }
    }

    @discardableResult
    public func setAlias(model: String, alias: String, version: Int, kind: AliasMove.Kind, reason: String) async throws(RegistryError) -> AliasMove {
        guard ModelName.isValid(alias) else { throw .invalidName(alias) }
        return try await write { connection in
            let id = try await Self.modelID(connection, model, lock: true)
            _ = try await Self.number(connection, modelID: id, ModelReference(model: model, selector: .version(version)))
            return try await Self.moveAlias(connection, modelID: id, model: model, alias: alias, to: version, kind: kind, reason: reason)
        }
    }

    @discardableResult
    public func rollback(model: String, alias: String) async throws(RegistryError) -> AliasMove {
        try await write { connection in
            let id = try await Self.modelID(connection, model, lock: true)
            _ = try await Self.number(connection, modelID: id, ModelReference(model: model, selector: .alias(alias)))
            var undone = 0
            var target: Int?
            for (old, kind) in try await connection.rows(
                "SELECT old_version, kind FROM alias_history WHERE model_id = \(id) AND alias = \(alias) ORDER BY id DESC", { row in
                    (try row.get("old_version", as: Int?.self), try row.get("kind", as: String.self))
                })
            {
                if kind == AliasMove.Kind.rollback.rawValue {
                    undone += 1
                } else if undone > 0 {
                    undone -= 1
                } else {
                    target = old
                    break
                }
            }
            guard let target else { throw RegistryError.nothingToRollBack(model: model, alias: alias) }
            return try await Self.moveAlias(connection, modelID: id, model: model, alias: alias, to: target, kind: .rollback, reason: "rollback")
        }
    }

    public func history(of model: String) async throws(RegistryError) -> [AliasMove] {
        try await read { connection in
            let id = try await Self.modelID(connection, model)
            return try await connection.rows("SELECT * FROM alias_history WHERE model_id = \(id) ORDER BY id") { row in
                AliasMove(
                    model: model, alias: try row.get("alias"), oldVersion: try row.get("old_version"), newVersion: try row.get("new_version"),
                    kind: AliasMove.Kind(rawValue: try row.get("kind", as: String.self)) ?? .set, reason: try row.get("reason"),
                    at: Date(timeIntervalSince1970: try row.get("created_at")))
            }
        }
    }

    /// Points the alias at `version`, appends the move to the history and announces it (inside the caller's
    /// transaction: the notification goes out when it commits).
    static func moveAlias(
        _ connection: PostgresConnection, modelID id: Int64, model: String, alias: String, to version: Int, kind: AliasMove.Kind, reason: String
    ) async throws -> AliasMove {
        let now = Date()
        let old = try await connection.row("SELECT version FROM model_aliases WHERE model_id = \(id) AND alias = \(alias)") {
            try $0.get("version", as: Int.self)
        }
        let at = now.timeIntervalSince1970
        try await connection.run(
            """
            INSERT INTO model_aliases (model_id, alias, version, updated_at) VALUES (\(id), \(alias), \(version), \(at))
            ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
            """)
        try await connection.run(
            """
            INSERT INTO alias_history (model_id, alias, old_version, new_version, kind, reason, created_at)
            VALUES (\(id), \(alias), \(old), \(version), \(kind.rawValue), \(reason), \(at))
            """)
        try await connection.run("SELECT pg_notify(\(aliasChannel), \(model))")
        return AliasMove(model: model, alias: alias, oldVersion: old, newVersion: version, kind: kind, reason: reason, at: now)
    }

    static func number(_ connection: PostgresConnection, modelID id: Int64, _ reference: ModelReference) async throws -> Int {
        switch reference.selector {
        case .latest:
            let latest = try await latest(connection, id)
            guard latest > 0 else { throw RegistryError.noVersion(model: reference.model, version: 1, latest: 0) }
            return latest
        case .version(let number):
            guard try await connection.row("SELECT 1 AS one FROM model_versions WHERE model_id = \(id) AND version = \(number)", { _ in true }) != nil
            else { throw RegistryError.noVersion(model: reference.model, version: number, latest: try await latest(connection, id)) }
            return number
        case .alias(let alias):
            if let number = try await connection.row(
                "SELECT version FROM model_aliases WHERE model_id = \(id) AND alias = \(alias)", { try $0.get("version", as: Int.self) })
            {
                return number
            }
            let known = try await connection.rows("SELECT alias FROM model_aliases WHERE model_id = \(id) ORDER BY alias") {
                try $0.get("alias", as: String.self)
            }
            throw RegistryError.noAlias(model: reference.model, alias: alias, known: known)
        }
    }

    static func latest(_ connection: PostgresConnection, _ id: Int64) async throws -> Int {
        (try await connection.row("SELECT MAX(version) AS v FROM model_versions WHERE model_id = \(id)") { try $0.get("v", as: Int?.self) } ?? nil) ?? 0
    }

    /// model id → alias → version.
    static func aliasMap(_ connection: PostgresConnection) async throws -> [Int64: [String: Int]] {
        var map: [Int64: [String: Int]] = [:]
        for (id, alias, version) in try await connection.rows("SELECT model_id, alias, version FROM model_aliases", { row in
            (try row.get("model_id", as: Int64.self), try row.get("alias", as: String.self), try row.get("version", as: Int.self))
        }) {
            map[id, default: [:]][alias] = version
        }
        return map
    }

    static func version(_ row: PostgresRandomAccessRow, model: String, aliases: [String: Int]) throws -> ModelVersion {
        let number: Int = try row.get("version")
        let params = try row.get("params", as: String?.self).flatMap { try? JSONDecoder().decode(ParameterSet.self, from: Data($0.utf8)) } ?? ParameterSet()
        let lineage = Lineage(
            experiment: try row.get("experiment"), trial: try row.get("trial"), params: params,
            metrics: MetricsText.decode(try row.get("metrics")), objectiveMetric: try row.get("objective_metric"),
            direction: try row.get("direction", as: String?.self).flatMap(Direction.init(rawValue:)), specSHA256: try row.get("spec_sha256"),
            dataSHA256: try row.get("data_sha256"))
        return ModelVersion(
            model: model, version: number, blobSHA256: try row.get("blob_sha256"), blobSize: try row.get("blob_size"), lineage: lineage,
            description: try row.get("description"), createdAt: Date(timeIntervalSince1970: try row.get("created_at")),
            aliases: aliases.filter { $0.value == number }.map(\.key).sorted(),
            flavor: try row.get("flavor", as: String?.self).flatMap(ModelFlavor.init(rawValue:)) ?? .forage,
            artifacts: try row.get("artifacts", as: String?.self).flatMap { try? JSONDecoder().decode([ArtifactFile].self, from: Data($0.utf8)) } ?? [])
    }
}
