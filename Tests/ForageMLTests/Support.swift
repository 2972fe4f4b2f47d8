import ForageCore
import Foundation

@testable import ForageML

/// Helpers shared by the ForageML tests: temporary files and the example datasets.
enum Support {
    static func temporaryFile(_ name: String, contents: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-ml-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func temporaryPath(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forage-ml-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    /// `Experiments/data/<name>` in this repository.
    static func exampleData(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/\(name)").path
    }

    static func iris(seed: UInt64 = 0) throws -> PreparedData {
        try Dataset.load(DataSpec(path: exampleData("iris.csv"), target: "species", task: .classification, seed: seed))
    }
}
