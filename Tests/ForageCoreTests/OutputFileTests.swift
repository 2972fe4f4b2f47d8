import ForageCore
import Foundation
import Testing

@Suite struct OutputFileTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("forage-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesWholeFilesAndReplacesOldOnes() throws {
        let base = try folder()
        defer { try? FileManager.default.removeItem(at: base) }
        let path = base.appendingPathComponent("p.csv").path
        try OutputFile.write("old\n", to: path)
        try OutputFile.write("new\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: base.path) == ["p.csv"])
    }

    @Test func saysWhyAFileCannotBeWritten() throws {
        let base = try folder()
        defer { try? FileManager.default.removeItem(at: base) }
        let missing = base.appendingPathComponent("missing/p.csv").path
        #expect(throws: OutputFileError(path: missing, reason: "the folder \(base.path)/missing does not exist")) {
            try OutputFile.write("x", to: missing)
        }
        let file = base.appendingPathComponent("file").path
        try OutputFile.write("x", to: file)
        #expect(throws: OutputFileError(path: file + "/p.csv", reason: "\(file) is not a folder")) { try OutputFile.write("x", to: file + "/p.csv") }
        #expect(throws: OutputFileError(path: base.path, reason: "it is a folder")) { try OutputFile.write("x", to: base.path) }
        #expect(OutputFileError(path: "missing/p.csv", reason: "the folder missing does not exist").description
            == "cannot write the output file missing/p.csv: the folder missing does not exist")
    }
}
