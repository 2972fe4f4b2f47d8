import ForageTesting
import Foundation
import Testing

/// End-to-end: what `resume` trains on is what the store says it trained on (issue 15, item 1), and experiments
/// can be managed (item 8).
@Suite struct LineageTests {
    /// A small classification table: `rows` rows of two features and three classes.
    static func table(rows: Int) -> String {
        var lines = ["a,b,label"]
        for i in 0..<rows {
            let cls = i % 3
            lines.append("\(Double(cls) * 2 + Double(i % 7) * 0.05),\(Double(i % 5) * 0.1),c\(cls)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let spec = """
        name: lineage
        objective: {metric: val_accuracy, direction: maximize}
        trial: {model: logistic}
        data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
        search_space: space.yaml
        searcher: {algorithm: random, seed: 2}
        budget: {trials: 3, parallel: 1}
        """

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func resumeUsesTheStoredSpaceAndRefusesChangedDataUnlessAllowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("data.csv", Self.table(rows: 120))
        try directory.write("space.yaml", "l2: {type: float, low: 1.0e-5, high: 1.0e-3, log: true}\n")
        try directory.write("lineage.yaml", Self.spec)
        let run = try ForageProcess.run(["run", "lineage.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")

        // The search-space file changes, then disappears: resumed trials keep drawing from the stored space.
        try directory.write("space.yaml", "l2: {type: float, low: 5.0, high: 9.0}\n")
        let edited = try ForageProcess.run(["resume", "lineage", "--trials", "5"], in: directory.url)
        #expect(edited.status == 0, "\(edited.stderr)")
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("space.yaml"))
        let removed = try ForageProcess.run(["resume", "lineage", "--trials", "7"], in: directory.url)
        #expect(removed.status == 0, "\(removed.stderr)")
        let trials = try Self.json(try ForageProcess.run(["trials", "lineage", "--format", "json"], in: directory.url).stdout)
        let rows = try #require(trials["trials"] as? [[String: Any]])
        #expect(rows.count == 7)
        for row in rows {
            let l2 = try #require((row["params"] as? [String: Any])?["l2"] as? Double)
            #expect(l2 >= 1e-5 && l2 <= 1e-3, "l2 \(l2) is outside the original range")
            #expect(row["data_version"] as? Int == 1)
        }

        // The data file is truncated: resume refuses, naming both versions and the flag.
        try directory.write("data.csv", Self.table(rows: 60))
        let refused = try ForageProcess.run(["resume", "lineage", "--trials", "9"], in: directory.url)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("changed since experiment 'lineage' recorded it"), "\(refused.stderr)")
        #expect(refused.stderr.contains("120 rows") && refused.stderr.contains("60 rows"))
        #expect(refused.stderr.contains("--allow-data-change"))
        let allowed = try ForageProcess.run(["resume", "lineage", "--trials", "9", "--allow-data-change"], in: directory.url)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let status = try Self.json(try ForageProcess.run(["status", "lineage", "--format", "json"], in: directory.url).stdout)
        #expect((status["data"] as? [String: Any])?["rows"] as? Int == 60)
        let versions = try #require(status["data_versions"] as? [[String: Any]])
        #expect(versions.map { $0["rows"] as? Int } == [120, 60])
        let after = try #require(try Self.json(try ForageProcess.run(["trials", "lineage", "--format", "json"], in: directory.url).stdout)["trials"] as? [[String: Any]])
        #expect(after.map { $0["data_version"] as? Int } == [1, 1, 1, 1, 1, 1, 1, 2, 2])
        let table = try ForageProcess.run(["status", "lineage"], in: directory.url)
        #expect(table.stdout.contains("version 1") && table.stdout.contains("version 2"), "\(table.stdout)")
    }

    @Test func experimentsCanBeTaggedRenamedAndDeleted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("data.csv", Self.table(rows: 60))
        try directory.write("space.yaml", "l2: {type: float, low: 1.0e-5, high: 1.0e-3, log: true}\n")
        try directory.write("lineage.yaml", Self.spec)
        #expect(try ForageProcess.run(["run", "lineage.yaml", "--tag", "team=vision", "--tag", "stage=try"], in: directory.url).status == 0)
        #expect(try ForageProcess.run(["run", "lineage.yaml", "--name", "other"], in: directory.url).status == 0)
        #expect(try ForageProcess.run(["promote", "lineage", "--model", "keeper"], in: directory.url).status == 0)

        let tagged = try ForageProcess.run(["status", "--tag", "team=vision"], in: directory.url)
        #expect(tagged.stdout.contains("lineage") && !tagged.stdout.contains("other"), "\(tagged.stdout)")
        #expect(try ForageProcess.run(["tag", "other", "team=vision", "--remove", "nothing"], in: directory.url).status == 0)
        #expect(try ForageProcess.run(["status", "--tag", "team=vision", "--tag", "stage=try"], in: directory.url).stdout.contains("other") == false)
        #expect(try ForageProcess.run(["status", "--tag", "team=vision"], in: directory.url).stdout.contains("other"))

        let renamed = try ForageProcess.run(["rename", "lineage", "renamed"], in: directory.url)
        #expect(renamed.status == 0, "\(renamed.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage/trials/renamed/0").path))
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage/trials/lineage").path))
        #expect(try ForageProcess.run(["rename", "renamed", "other"], in: directory.url).status != 0)
        #expect(try ForageProcess.run(["rename", "renamed", "../x"], in: directory.url).stderr.contains("not a valid experiment name"))

        let unconfirmed = try ForageProcess.run(["delete", "renamed"], in: directory.url)
        #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("--yes"))
        let deleted = try ForageProcess.run(["delete", "renamed", "--yes"], in: directory.url)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage/trials/renamed").path))
        #expect(try ForageProcess.run(["status", "renamed"], in: directory.url).status != 0)
        // The registry keeps the version promoted from the deleted experiment, with its lineage and blob.
        let model = try ForageProcess.run(["models", "show", "keeper", "--format", "json"], in: directory.url)
        #expect(model.status == 0 && model.stdout.contains("\"lineage\""), "\(model.stderr)")
        #expect(try ForageProcess.run(["predict", "keeper", "--input", "data.csv"], in: directory.url).status == 0)
    }

    @Test func aFailedStartLeavesNoExperimentBehind() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("data.csv", Self.table(rows: 60))
        try directory.write("space.yaml", "l2: {type: float, low: 1.0e-5, high: 1.0e-3, log: true}\n")
        try directory.write("lineage.yaml", Self.spec)
        // Hold a port.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let busy = try ForageProcess.run(
            ["run", "lineage.yaml", "--listen", "127.0.0.1:\(port)", "--token-file", "token"], in: directory.url)
        #expect(busy.status != 0)
        #expect(busy.stderr.contains("cannot listen on 127.0.0.1:\(port): the address is already in use"), "\(busy.stderr)")
        // No local slots and no --listen: refused before anything is created.
        let noSlots = try ForageProcess.run(["run", "lineage.yaml", "--parallel", "0"], in: directory.url)
        #expect(noSlots.status != 0 && noSlots.stderr.contains("--listen"), "\(noSlots.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage").path))
        // --store naming a file is Forage's error, not Foundation's.
        try directory.write("a-file", "")
        for command in [["status"], ["run", "lineage.yaml"]] {
            let wrong = try ForageProcess.run(command + ["--store", "a-file"], in: directory.url)
            #expect(wrong.status != 0)
            #expect(wrong.stderr.contains("cannot use") && wrong.stderr.contains("a-file as a Forage store: it is a file, not a folder"), "\(wrong.stderr)")
            #expect(!wrong.stderr.contains("NSCocoaErrorDomain"))
        }
        // Nothing was created: the corrected run goes ahead.
        let fixed = try ForageProcess.run(["run", "lineage.yaml"], in: directory.url)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(!fixed.stderr.contains("already exists"))
    }
}
