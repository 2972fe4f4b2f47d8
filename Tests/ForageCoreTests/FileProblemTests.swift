import ForageCore
import Foundation
import Testing

/// File-system failures are described in Forage's words, never in Foundation's "The operation could not be
/// completed" sentences.
@Suite struct FileProblemTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-problem-\(getpid())", isDirectory: true)

    @Test func aMissingFileAFolderAndANonFolderParentAreNamed() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nope.csv")
        #expect(throws: (any Error).self) { try Data(contentsOf: missing) }
        do { _ = try Data(contentsOf: missing) } catch {
            #expect(FileProblem.reason(error, path: missing.path) == "no such file or folder")
        }
        do { _ = try String(contentsOf: folder, encoding: .utf8) } catch {
            #expect(FileProblem.reason(error, path: folder.path) == "it is a folder, not a file")
        }
        let file = folder.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        let inside = file.appendingPathComponent("child")
        do { try Data("y".utf8).write(to: inside) } catch {
            let reason = FileProblem.reason(error, path: inside.path)
            #expect(reason == "a part of the path is not a folder" || reason == "no such file or folder", "\(reason)")
        }
        let bytes = folder.appendingPathComponent("latin1")
        try Data([0x66, 0xE9, 0xFF]).write(to: bytes)
        do { _ = try String(contentsOf: bytes, encoding: .utf8) } catch {
            #expect(!FileProblem.reason(error, path: bytes.path).contains("could not be completed"))
        }
    }

    @Test func posixErrorsAreWordedWithoutFoundationsSentence() {
        let full = NSError(domain: NSCocoaErrorDomain, code: 640, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(FileProblem.reason(full, path: "/x") == "the disk is full")
        #expect(FileProblem.reason(NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES)), path: "/x") == "permission denied")
        #expect(FileProblem.reason(NSError(domain: "elsewhere", code: 7), path: "") == "the system refused it (error 7)")
    }
}
