import ForageML
import ForageRegistry
import ForageStore
import Foundation
import Synchronization

/// The model a server answers with now: swapped atomically when the followed alias moves, so each request sees
/// one whole version (the old one until the new one is loaded and checked).
public final class ServedModel: Sendable {
    /// A loaded version.
    public final class Snapshot: Sendable {
        public let model: Model
        public let version: ModelVersion
        public let loadedAt: Date
        /// Worked out once per version rather than per request: the class labels as JSON, the version header.
        let labelsJSON: [[UInt8]]
        let versionText: String
        /// The drift profile's binning tables (nil: the file has no profile).
        let driftBinner: DriftBinner?

        public init(model: Model, version: ModelVersion, loadedAt: Date) {
            self.model = model
            self.version = version
            self.loadedAt = loadedAt
            labelsJSON = model.file.header.classLabels.map(PredictionJSON.label)
            versionText = String(version.version)
            driftBinner = model.file.header.drift.map(DriftBinner.init)
        }
    }

    private let current: Mutex<Snapshot>

    public init(_ snapshot: Snapshot) {
        current = Mutex(snapshot)
    }

    /// The version to use for one request.
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Replaces the served version.
    public func swap(to snapshot: Snapshot) {
        current.withLock { $0 = snapshot }
    }
}

/// Loads registry versions into servable models: the blob is verified by its hash, then parsed and checked.
public struct ModelLoader: Sendable {
    public let registry: any ModelRegistry

    public init(registry: any ModelRegistry) {
        self.registry = registry
    }

    /// Loads the version a reference means now.
    public func load(_ reference: ModelReference) async throws -> ServedModel.Snapshot {
        try await load(registry.resolve(reference))
    }

    /// Loads one version; a corrupt or unreadable blob is an error (the caller keeps what it serves).
    public func load(_ version: ModelVersion) async throws -> ServedModel.Snapshot {
        guard version.flavor == .forage else {
            throw RegistryError.notServable(model: version.model, version: version.version, flavor: version.flavor, files: version.artifacts.map(\.name))
        }
        let data = try await registry.blob(of: version)
        let source = registry.blobLocation(of: version)
        let model = try Model(file: ModelFile.decode(data, path: source), source: source)
        return ServedModel.Snapshot(model: model, version: version, loadedAt: Date())
    }
}
