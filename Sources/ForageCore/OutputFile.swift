#if canImport(Glibc)
import Glibc
#endif

/// Writes a command's output file (`--output`) whole or not at all: the bytes go to a temporary file next to it,
/// which is then renamed over the target. A failure says, in Forage's words, why the file cannot be written.
public enum OutputFile {
    /// Writes `text` to `path`.
    public static func write(_ text: String, to path: String) throws(OutputFileError) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputFileError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(OutputFileError) in try write(buffer, to: path) }
        }
        try result.get()
    }

    /// Writes the bytes of `buffer` to `path`.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(OutputFileError) {
        let folder = parentFolder(of: path)
        var info = stat()
        if stat(folder, &info) != 0 {
            throw OutputFileError(path: path, reason: errno == ENOENT ? "the folder \(folder) does not exist" : describe(errno, folder: folder))
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw OutputFileError(path: path, reason: "\(folder) is not a folder") }
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw OutputFileError(path: path, reason: "it is a folder")
        }
        let temporary = folder + "/." + lastComponent(of: path) + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputFileError(path: path, reason: describe(errno, folder: folder)) }
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let written = Glibc.write(fd, rest.baseAddress, rest.count)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw OutputFileError(path: path, reason: describe(code, folder: folder))
            }
            offset += written
        }
        guard close(fd) == 0 else {
            let code = errno
            unlink(temporary)
            throw OutputFileError(path: path, reason: describe(code, folder: folder))
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw OutputFileError(path: path, reason: describe(code, folder: folder))
        }
    }

    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    static func lastComponent(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// The usual reasons in plain words; others in the system's.
    static func describe(_ code: Int32, folder: String) -> String {
        switch code {
        case EACCES, EPERM: return "permission denied (this user cannot write in \(folder))"
        case EROFS: return "\(folder) is on a read-only file system"
        case ENOSPC, EDQUOT: return "the disk is full"
        case ENOENT: return "the folder \(folder) does not exist"
        case ENOTDIR: return "part of \(folder) is not a folder"
        case EISDIR: return "it is a folder"
        case ENAMETOOLONG: return "the name is too long"
        default: return String(cString: strerror(code))
        }
    }
}

/// Why an output file could not be written.
public struct OutputFileError: Error, Equatable, CustomStringConvertible {
    /// The file asked for.
    public var path: String
    /// Why it cannot be written.
    public var reason: String

    public var description: String { "cannot write the output file \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
