import ForageCore
import ForageStore
import Foundation
import GRDB

/// The registry in the store's SQLite file (tables of migration `3-registry`) with blobs in `<store>/blobs/`.
public final class SQLiteModelRegistry: ModelRegistry {
    let reader: any DatabaseReader
    let writer: (any DatabaseWriter)?
    /// The content-addressed model files.
    public let blobs: BlobStore

    /// A registry over an open store (same file, same writer; read-only when the store is).
    public init(store: SQLiteExperimentStore) {
        reader = store.reader
        writer = store.writer
        blobs = store.layout.blobs
    }

    /// Runs a read, mapping database errors.
    func read<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        do {
            return try reader.read(body)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    /// Runs one write transaction, mapping database errors.
    func write<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        guard let writer else { throw .readOnly }
        do {
            return try writer.write(body)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    public func register(_ registration: Registration) throws(RegistryError) -> ModelVersion {
        guard ModelName.isValid(registration.model) else { throw .invalidName(registration.model) }
        if let alias = registration.alias, !ModelName.isValid(alias) { throw .invalidName(alias) }
        // The blob goes first: a version row never names a file that is not there.
        let sha = try blobs.put(registration.blob)
        var artifacts: [ArtifactFile] = []
        for file in registration.files {
            artifacts.append(ArtifactFile(name: file.name, sha256: try blobs.put(file.contents), size: file.contents.count))
        }
        if artifacts.isEmpty { artifacts = [ArtifactFile(name: "model.forage", sha256: sha, size: registration.blob.count)] }
        let artifactsJSON = String(decoding: (try? JSONEncoder().encode(artifacts)) ?? Data("[]".utf8), as: UTF8.self)
        let lineage = registration.lineage
        let now = Date().timeIntervalSince1970
        let number: Int = try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO models (name, created_at) VALUES (?, ?)", arguments: [registration.model, now])
            let id = try Self.modelID(db, registration.model)
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_versions WHERE model_id = ?", arguments: [id]) ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO model_versions (model_id, version, blob_sha256, blob_size, experiment, trial, params, metrics,
                        objective_metric, direction, spec_sha256, data_sha256, description, created_at, flavor, artifacts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, next, sha, registration.blob.count, lineage.experiment, lineage.trial, lineage.params.jsonString,
                    MetricsJSON.encode(lineage.metrics), lineage.objectiveMetric, lineage.direction?.rawValue, lineage.specSHA256,
                    lineage.dataSHA256, registration.description, now, registration.flavor.rawValue, artifactsJSON,
                ])
            if let alias = registration.alias {
                _ = try Self.moveAlias(db, modelID: id, model: registration.model, alias: alias, to: next, kind: .promote, reason: registration.reason)
            }
            return next
        }
        return try resolve(ModelReference(model: registration.model, selector: .version(number)))
    }

    public func blob(of version: ModelVersion) throws(RegistryError) -> Data {
        try blobs.read(version.blobSHA256)
    }

    public func file(_ artifact: ArtifactFile) throws(RegistryError) -> Data {
        try blobs.read(artifact.sha256)
    }

    public func blobLocation(of version: ModelVersion) -> String {
        blobs.url(for: version.blobSHA256).path
    }

    /// The id of a model, or `noModel` listing the known names.
    static func modelID(_ db: Database, _ name: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [name]) { return id }
        throw RegistryError.noModel(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM models ORDER BY name"))
    }
}

/// Metrics as a JSON object text (non-finite values are left out).
enum MetricsJSON {
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
