import ForageCore
import Foundation

/// Content-addressed files under `<store>/blobs/<sha256>`: written once (to a temporary file, then renamed into
/// place), verified against their name every time they are read.
public struct BlobStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The path of a blob.
    public func url(for sha256: String) -> URL {
        directory.appendingPathComponent(sha256)
    }

    /// Stores `data` under its SHA-256 and returns the hash. An existing blob with the same hash is kept as is
    /// (after checking it is intact; a damaged one is replaced).
    @discardableResult
    public func put(_ data: Data) throws(RegistryError) -> String {
        let sha = SHA256Hex.of(data)
        let target = url(for: sha)
        if FileManager.default.fileExists(atPath: target.path), (try? read(sha)) != nil { return sha }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent(".tmp-\(sha)-\(UUID().uuidString)")
            try data.write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw RegistryError.io(path: target.path, reason: "cannot move the blob into place: \(reason)")
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .io(path: target.path, reason: "cannot write the blob: \(FileProblem.reason(error, path: target.path))")
        }
        return sha
    }

    /// Reads a blob and checks its hash; one changed byte is a `corruptBlob` error.
    public func read(_ sha256: String) throws(RegistryError) -> Data {
        let path = url(for: sha256).path
        guard FileManager.default.fileExists(atPath: path) else { throw .missingBlob(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(path: path, reason: FileProblem.reason(error, path: path))
        }
        let found = SHA256Hex.of(data)
        guard found == sha256 else { throw .corruptBlob(path: path, expected: sha256, found: found) }
        return data
    }
}
