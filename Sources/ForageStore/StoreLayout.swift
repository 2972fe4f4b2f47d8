import ForageCore
import Foundation

/// Where a store keeps the files beside its database: trial folders, model files and registry blobs.
///
/// Every path built from an experiment name or a trial number comes from here, and none can leave the store's
/// root: a name that is not a single safe path component is refused before any path is built from it.
public struct StoreLayout: Sendable, Equatable {
    /// The store's folder (`--store DIR`), or for a store without one (in memory, a database server) the local
    /// folder that holds its trial files.
    public let root: URL

    /// The file a built-in trainer saves its model to, in the trial's folder.
    public static let modelFileName = ArtifactNames.model

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// `<root>/trials/<experiment>/`: the folder of an experiment's trial folders.
    public func trialsDirectory(experiment: String) throws(StoreError) -> URL {
        guard ExperimentName.isValid(experiment) else { throw .invalidExperimentName(experiment) }
        return root.appendingPathComponent("trials", isDirectory: true).appendingPathComponent(experiment, isDirectory: true)
    }

    /// `<root>/trials/<experiment>/<number>/`: one trial's artifacts and logs.
    public func trialDirectory(experiment: String, number: Int) throws(StoreError) -> URL {
        try trialsDirectory(experiment: experiment).appendingPathComponent(String(number), isDirectory: true)
    }

    /// `<root>/blobs/`: the registry's content-addressed files.
    public var blobsDirectory: URL {
        root.appendingPathComponent("blobs", isDirectory: true)
    }

    /// The registry's blob store in this layout.
    public var blobs: BlobStore {
        BlobStore(directory: blobsDirectory)
    }

    /// The model file a trial left: `model.forage` if present, else the first file whose name starts with `model`.
    public func modelFile(experiment: String, number: Int) throws(StoreError) -> URL? {
        let folder = try trialDirectory(experiment: experiment, number: number)
        let preferred = folder.appendingPathComponent(Self.modelFileName)
        if FileManager.default.fileExists(atPath: preferred.path) { return preferred }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().first { $0.hasPrefix("model") }.map { folder.appendingPathComponent($0) }
    }
}
