/// Why a model file could not be written, read or used.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// The file does not start with the model magic bytes.
    case notAModelFile(path: String)
    /// The file was written by a newer Forage.
    case newerVersion(path: String, found: Int, supported: Int)
    /// The file ends early.
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    /// The header or weights are damaged or inconsistent.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .notAModelFile(let path): return "\(path): not a Forage model file (bad magic bytes)"
        case .newerVersion(let path, let found, let supported):
            return "\(path): model format version \(found) is newer than this Forage supports (\(supported)); upgrade Forage"
        case .truncated(let path, let expected, let found):
            return "\(path): model file is truncated (expected \(expected) bytes, found \(found))"
        case .corrupt(let path, let reason): return "\(path): model file is corrupt: \(reason)"
        }
    }
}
