import Foundation

/// Says why a file operation failed in Forage's words ("no such file", "permission denied", "the disk is full"),
/// never as Foundation's own sentence ("The operation could not be completed…"). Every message that reports a
/// failed read, write or process start takes its reason from here.
public enum FileProblem {
    /// Why `error`, thrown while working on `path` (empty when there is no one path), happened.
    public static func reason(_ error: any Error, path: String) -> String {
        if let code = posixCode(of: error) { return posixWords[code] ?? String(cString: strerror(code)) }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, let words = cocoaWords[ns.code] { return words }
        if !path.isEmpty, let words = fromTheFileSystem(path: path) { return words }
        return "the system refused it (error \(ns.code))"
    }

    /// The POSIX error number behind `error`, when it carries one (directly or as its underlying error).
    static func posixCode(of error: any Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }

    /// What the path itself says when the error does not: missing, a folder, unreadable.
    static func fromTheFileSystem(path: String) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "no such file or folder" }
        if isFolder.boolValue { return "it is a folder, not a file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return nil
    }

    static let posixWords: [Int32: String] = [
        ENOENT: "no such file or folder",
        EACCES: "permission denied",
        EPERM: "permission denied",
        ENOSPC: "the disk is full",
        EDQUOT: "the disk quota is used up",
        EISDIR: "it is a folder, not a file",
        ENOTDIR: "a part of the path is not a folder",
        EROFS: "the file system is read-only",
        EEXIST: "it already exists",
        ENAMETOOLONG: "the name is too long",
        EMFILE: "too many files are open",
        EIO: "an input/output error (the disk or the network file system failed)",
        ENOEXEC: "it is not a program this machine can run",
    ]

    /// Foundation's file error codes (`CocoaError.Code`) that come without a POSIX error.
    static let cocoaWords: [Int: String] = [
        4: "no such file or folder",
        260: "no such file or folder",
        257: "permission denied",
        513: "permission denied",
        259: "the file is corrupt or not in the expected format",
        261: "it is not valid UTF-8 text",
        516: "it already exists",
        640: "the disk is full",
        642: "the file system is read-only",
    ]
}
