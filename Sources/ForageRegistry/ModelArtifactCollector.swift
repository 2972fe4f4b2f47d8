import ForageStore
import Foundation

/// The files a trial left as its model: every entry of the trial folder whose name starts with `model` (files, and
/// folders with everything in them), with the primary file first and the version's flavor.
///
/// The contract for command trials: write `model.forage` (a Forage model, servable), or any `model*` file or a
/// `model/` folder (kept and exported under their names, but not served).
enum ModelArtifactCollector {
    struct Collected {
        var files: [ArtifactPayload]
        var flavor: ModelFlavor
    }

    static func collect(in folder: URL) throws(RegistryError) -> Collected? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("model") }.sorted()
        guard !names.isEmpty else { return nil }
        var files: [ArtifactPayload] = []
        var sawFolder = false
        for name in names {
            let url = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            if isFolder.boolValue {
                sawFolder = true
                let inner = FileManager.default.enumerator(atPath: url.path)
                while let relative = inner?.nextObject() as? String {
                    let fileURL = url.appendingPathComponent(relative)
                    var innerIsFolder: ObjCBool = false
                    FileManager.default.fileExists(atPath: fileURL.path, isDirectory: &innerIsFolder)
                    if innerIsFolder.boolValue { continue }
                    files.append(ArtifactPayload(name: name + "/" + relative, contents: try read(fileURL)))
                }
            } else {
                files.append(ArtifactPayload(name: name, contents: try read(url)))
            }
        }
        guard !files.isEmpty else { return nil }
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

    private static func read(_ url: URL) throws(RegistryError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .io(path: url.path, reason: "cannot read the model file (\((error as NSError).localizedDescription))")
        }
    }
}
