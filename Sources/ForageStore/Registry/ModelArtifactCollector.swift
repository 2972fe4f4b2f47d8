import ForageCore
import Foundation

/// The files a trial left as its model: every entry of the trial folder whose name starts with `model` (files, and
/// folders with everything in them), with the primary file first and the version's flavor.
///
/// The contract for command trials: write `model.forage` (a Forage model, servable), or any `model*` file or a
/// `model/` folder (kept and exported under their names, but not served).
public enum ModelArtifactCollector {
    /// A trial's model files, primary first, and what kind of model they make.
    public struct Collected: Sendable {
        public var files: [ArtifactPayload]
        public var flavor: ModelFlavor
    }

    /// The model files in `folder` (nil when it holds none).
    public static func collect(in folder: URL) throws(RegistryError) -> Collected? {
        try collect(files: read(folder))
    }

    /// Orders files a trial left (as `read(_:)` gives them, or as a store kept them) into a model: nil when empty.
    public static func collect(files unordered: [ArtifactPayload]) -> Collected? {
        guard !unordered.isEmpty else { return nil }
        var files = unordered.sorted { $0.name < $1.name }
        let sawFolder = files.contains { $0.name.contains("/") }
        // The primary file: model.forage, else the first file of a kind Forage recognises (a pickle, an ONNX graph…)
        // outside a folder, else the first file.
        let recognised = files.firstIndex { $0.name == StoreLayout.modelFileName }
            ?? files.firstIndex { !$0.name.contains("/") && ModelFlavor.detect(name: $0.name, contents: $0.contents) != .file }
        if let index = recognised { files.insert(files.remove(at: index), at: 0) }
        let primary = ModelFlavor.detect(name: files[0].name, contents: files[0].contents)
        // Names sort `model.x` before `model/…`, so a first file inside a folder means there is no top-level one.
        let flavor: ModelFlavor = primary == .forage ? .forage : (sawFolder && files[0].name.contains("/") ? .folder : primary)
        return Collected(files: files, flavor: flavor)
    }

    /// Every `model*` file in `folder` (inside `model*` folders too, named `folder/relative-path`); empty when the
    /// folder holds none or does not exist.
    public static func read(_ folder: URL) throws(RegistryError) -> [ArtifactPayload] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("model") }.sorted()
        var files: [ArtifactPayload] = []
        for name in names {
            let url = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            if isFolder.boolValue {
                let inner = FileManager.default.enumerator(atPath: url.path)
                while let relative = inner?.nextObject() as? String {
                    let fileURL = url.appendingPathComponent(relative)
                    var innerIsFolder: ObjCBool = false
                    FileManager.default.fileExists(atPath: fileURL.path, isDirectory: &innerIsFolder)
                    if innerIsFolder.boolValue { continue }
                    files.append(ArtifactPayload(name: name + "/" + relative, contents: try readFile(fileURL)))
                }
            } else {
                files.append(ArtifactPayload(name: name, contents: try readFile(url)))
            }
        }
        return files
    }

    private static func readFile(_ url: URL) throws(RegistryError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .io(path: url.path, reason: "cannot read the model file (\(FileProblem.reason(error, path: url.path)))")
        }
    }
}
