import ForageTesting
import Foundation
import Testing

/// End-to-end: the registry keeps what a trial left under its names, with a detected flavor, and `predict` and
/// `serve` refuse what they cannot run (issue 15, item 3).
@Suite struct ArtifactFlavorTests {
    /// A command experiment whose trials write `files` (shell commands run in the trial folder) and report `value`.
    static func spec(_ name: String, writes: String) -> String {
        """
        name: \(name)
        objective: {metric: value, direction: minimize}
        trial:
          command: "cd \\"$FORAGE_TRIAL_DIR\\" && \(writes) && echo '{\\"value\\": {x}}'"
        search_space:
          x: {type: float, low: 0, high: 1}
        searcher: {algorithm: random, seed: 1}
        budget: {trials: 2, parallel: 1}
        """
    }

    @Test func picklesAndFoldersAreKeptWithTheirNamesAndRefusedByPredictAndServe() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("pkl.yaml", Self.spec("pkl", writes: "printf '\\\\200\\\\004pickle' > model.pkl && printf '{}' > model-card.json"))
        try directory.write("dir.yaml", Self.spec("dir", writes: "mkdir -p model/weights && printf a > model/config.txt && printf b > model/weights/w.bin"))
        for name in ["pkl", "dir"] {
            let run = try ForageProcess.run(["run", "\(name).yaml"], in: directory.url)
            #expect(run.status == 0, "\(run.stderr)")
            let promote = try ForageProcess.run(["promote", name, "--model", name], in: directory.url)
            #expect(promote.status == 0, "\(promote.stderr)")
        }

        let show = try ForageProcess.run(["models", "show", "pkl", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let version = try #require((object["versions"] as? [[String: Any]])?.first)
        #expect(version["flavor"] as? String == "pickle")
        #expect((version["files"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["model.pkl", "model-card.json"])

        // Export keeps every name; nothing is renamed to model.forage.
        let export = try ForageProcess.run(["models", "export", "dir", "out"], in: directory.url)
        #expect(export.status == 0, "\(export.stderr)")
        let out = directory.url.appendingPathComponent("out")
        #expect(try String(contentsOf: out.appendingPathComponent("model/config.txt"), encoding: .utf8) == "a")
        #expect(try String(contentsOf: out.appendingPathComponent("model/weights/w.bin"), encoding: .utf8) == "b")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("model.forage").path))
        let pickled = try ForageProcess.run(["models", "export", "pkl", "out-pkl"], in: directory.url)
        #expect(pickled.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("out-pkl/model.pkl").path))

        // predict and serve refuse at once, saying what the version is and what they run.
        try directory.write("x.csv", "x\n0.5\n")
        let predict = try ForageProcess.run(["predict", "pkl", "--input", "x.csv"], in: directory.url)
        #expect(predict.status != 0)
        #expect(predict.stderr.contains("pkl:1 is a Python pickle (model.pkl, model-card.json)"), "\(predict.stderr)")
        #expect(predict.stderr.contains("Forage model files"))
        #expect(!predict.stderr.contains("magic"))
        let serve = try ForageProcess.run(["serve", "dir", "--port", "0"], in: directory.url)
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("dir:1 is a folder of model files"), "\(serve.stderr)")
    }
}
