import ForageCore
import ForageStore
import Foundation
import NIOCore
import PostgresNIO

/// The model registry in a PostgreSQL store: versions, aliases and their history, and the blobs themselves
/// (content-addressed, in the `blobs` table), so any machine that reaches the server can promote and serve.
/// Every alias move sends `NOTIFY forage_alias` with the model's name, so servers follow it at once.
public final class PostgresModelRegistry: ModelRegistry {
    let database: PostgresDatabase
    let readOnly: Bool
    /// The channel alias moves are announced on.
    public static let aliasChannel = "forage_alias"

    init(database: PostgresDatabase, readOnly: Bool) {
        self.database = database
        self.readOnly = readOnly
    }

    /// Runs `body`, mapping every error to a `RegistryError`.
    func mapped<T>(_ body: () async throws -> T) async throws(RegistryError) -> T {
        do {
            return try await body()
        } catch let error as RegistryError {
            throw error
        } catch let error as StoreError {
            if case .database(let message) = error { throw .database(message) }
            throw .database(error.description)
        } catch {
            throw .database(PostgresMessage.of(error))
        }
    }

    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(RegistryError) -> T {
        guard !readOnly else { throw .readOnly }
        return try await mapped { try await database.transaction(body) }
    }

    public func register(_ registration: Registration) async throws(RegistryError) -> ModelVersion {
        guard ModelName.isValid(registration.model) else { throw .invalidName(registration.model) }
        if let alias = registration.alias, !ModelName.isValid(alias) { throw .invalidName(alias) }
        let sha = SHA256Hex.of(registration.blob)
        var payloads = [(sha, registration.blob)]
        var artifacts: [ArtifactFile] = []
        for file in registration.files {
            let fileSHA = SHA256Hex.of(file.contents)
            payloads.append((fileSHA, file.contents))
            artifacts.append(ArtifactFile(name: file.name, sha256: fileSHA, size: file.contents.count))
        }
        if artifacts.isEmpty { artifacts = [ArtifactFile(name: "model.forage", sha256: sha, size: registration.blob.count)] }
        let artifactsJSON = String(decoding: (try? JSONEncoder().encode(artifacts)) ?? Data("[]".utf8), as: UTF8.self)
        let lineage = registration.lineage
        let now = Date().timeIntervalSince1970
        let blobs = payloads
        let number: Int = try await write { connection in
            // The blobs go first, in the same transaction: a version row never names a blob that is not there.
            for (blobSHA, data) in blobs {
                try await connection.run(
                    """
                    INSERT INTO blobs (sha256, size, data) VALUES (\(blobSHA), \(data.count), \(ByteBuffer(bytes: data)))
                    ON CONFLICT (sha256) DO NOTHING
                    """)
            }
            try await connection.run(
                "INSERT INTO models (name, created_at) VALUES (\(registration.model), \(now)) ON CONFLICT (name) DO NOTHING")
            // The model row is locked, so two registrations of one model take numbers one after the other.
            let id = try await Self.modelID(connection, registration.model, lock: true)
            let next = (try await connection.row("SELECT MAX(version) AS v FROM model_versions WHERE model_id = \(id)") {
                try $0.get("v", as: Int?.self)
            } ?? nil).map { $0 + 1 } ?? 1
            try await connection.run(
                """
                INSERT INTO model_versions (model_id, version, blob_sha256, blob_size, experiment, trial, params, metrics,
                    objective_metric, direction, spec_sha256, data_sha256, description, created_at, flavor, artifacts)
                VALUES (\(id), \(next), \(sha), \(registration.blob.count), \(lineage.experiment), \(lineage.trial), \(lineage.params.jsonString),
                    \(MetricsText.encode(lineage.metrics)), \(lineage.objectiveMetric), \(lineage.direction?.rawValue), \(lineage.specSHA256),
                    \(lineage.dataSHA256), \(registration.description), \(now), \(registration.flavor.rawValue), \(artifactsJSON))
                """)
            if let alias = registration.alias {
                _ = try await Self.moveAlias(
                    connection, modelID: id, model: registration.model, alias: alias, to: next, kind: .promote, reason: registration.reason)
            }
            return next
        }
        return try await resolve(ModelReference(model: registration.model, selector: .version(number)))
    }

    public func blob(of version: ModelVersion) async throws(RegistryError) -> Data {
        try await blob(version.blobSHA256)
    }

    public func file(_ artifact: ArtifactFile) async throws(RegistryError) -> Data {
        try await blob(artifact.sha256)
    }

    /// A blob read from the database and checked against its hash.
    func blob(_ sha256: String) async throws(RegistryError) -> Data {
        let rows = try await mapped {
            try await database.rows("SELECT data FROM blobs WHERE sha256 = \(sha256)") { row in
                let buffer = try row.get("data", as: ByteBuffer.self)
                return Data(buffer.readableBytesView)
            }
        }
        let place = "\(database.location.display) blob \(sha256)"
        guard let data = rows.first else { throw .missingBlob(path: place) }
        let found = SHA256Hex.of(data)
        guard found == sha256 else { throw .corruptBlob(path: place, expected: sha256, found: found) }
        return data
    }

    public func blobLocation(of version: ModelVersion) -> String {
        "\(database.location.display) (blob \(version.blobSHA256))"
    }

    /// The id of a model, or `noModel` listing the known names.
    static func modelID(_ connection: PostgresConnection, _ name: String, lock: Bool = false) async throws -> Int64 {
        let query: PostgresQuery = lock ? "SELECT id FROM models WHERE name = \(name) FOR UPDATE" : "SELECT id FROM models WHERE name = \(name)"
        if let id = try await connection.row(query, { try $0.get("id", as: Int64.self) }) { return id }
        throw RegistryError.noModel(
            name: name, known: try await connection.rows("SELECT name FROM models ORDER BY name") { try $0.get("name", as: String.self) })
    }
}

/// Metrics as a JSON object text (non-finite values are left out).
enum MetricsText {
    static func encode(_ metrics: [String: Double]) -> String {
        let finite = metrics.filter { $0.value.isFinite }
        guard let data = try? JSONSerialization.data(withJSONObject: finite, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String?) -> [String: Double] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}

extension PostgresModelRegistry: RegistryChangeFeed {
    /// Listens on `forage_alias` over one pooled connection for as long as the calling task runs.
    public func followAliasMoves(_ onChange: @escaping @Sendable (String) -> Void) async throws {
        try await database.withConnection { connection in
            try await connection.listen(on: Self.aliasChannel) { notifications in
                for try await notification in notifications { onChange(notification.payload) }
            }
        }
    }
}
