import ForageCore
import ForageML
import ForageRemote
import ForageTesting
import Foundation
import Testing

/// End-to-end drift monitoring: a model trained on a generated table (four numeric columns and a categorical
/// `region`, 4 000 rows) stores its training distribution; replaying its own test split shows PSI under 0.1 on
/// every raw feature (offline with `forage drift` and live through `forage serve`'s `/drift` and `/metrics`, which
/// label the raw column, not its one-hot features); the same rows with the first feature shifted by two standard
/// deviations flag that feature and only it, and the server logs it once; `--no-drift` turns the endpoint off.
@Suite(.serialized) struct DriftTests {
    static let features = ["x1", "x2", "x3", "x4", "region"]

    /// The generated table as CSV (deterministic).
    static func table(rows: Int) -> String {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        func normal() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * Double.pi * uniform()) }
        var lines = [(features + ["label"]).joined(separator: ",")]
        for _ in 0..<rows {
            let x1 = 5 + 2 * normal(), x2 = normal(), x3 = 10 * uniform(), x4 = 100 + 15 * normal()
            let u = uniform()
            let region = u < 0.4 ? "north" : u < 0.7 ? "south" : u < 0.9 ? "east" : "west"
            let score = (x1 - 5) / 2 + x2 + (region == "north" ? 0.5 : 0) + 0.5 * normal()
            lines.append([x1, x2, x3, x4].map { String(format: "%.4f", $0) }.joined(separator: ",") + ",\(region),\(score > 0 ? "yes" : "no")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The data's test split as CSV text (header and rows as in the file), and the same rows with the first
    /// feature shifted by `shift` standard deviations of that column.
    static func testSplit(path: String, seed: UInt64, shift: Double) throws -> (plain: String, shifted: String) {
        let data = try Dataset.load(
            DataSpec(path: path, target: "label", task: .classification, validation: 0.2, test: 0.2, seed: seed, categorical: ["region"]))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let column = lines.dropFirst().filter { !$0.isEmpty }.compactMap { $0.split(separator: ",").first.flatMap { Double($0) } }
        let mean = column.reduce(0, +) / Double(column.count)
        let sd = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count - 1)).squareRoot()
        let rows = data.test.rowNumbers.map { lines[$0 - 1] }
        let shifted = rows.map { line -> String in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[0] = String((Double(fields[0]) ?? 0) + shift * sd)
            return fields.joined(separator: ",")
        }
        return (([lines[0]] + rows).joined(separator: "\n") + "\n", ([lines[0]] + shifted).joined(separator: "\n") + "\n")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    static func features(_ report: [String: Any]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: (report["features"] as? [[String: Any]] ?? []).compactMap { entry in
            (entry["feature"] as? String).map { ($0, entry["psi"] as? Double ?? .nan) }
        })
    }

    @Test func testSplitShowsNoDriftAndAShiftedFeatureIsFlaggedAloneOfflineAndLive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("data.csv", Self.table(rows: 4_000))
        try directory.write("m.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 3, categorical: [region]}
            search_space: {l2: {type: float, low: 1.0e-3, high: 1.0, log: true}}
            searcher: {algorithm: random, seed: 1}
            budget: {trials: 1, parallel: 1}
            promote: {model: loans, alias: prod}
            """)
        let run = try ForageProcess.run(["run", "m.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let split = try Self.testSplit(path: directory.url.appendingPathComponent("data.csv").path, seed: 3, shift: 2)
        let first = Self.features[0]
        try directory.write("test.csv", split.plain)
        try directory.write("shifted.csv", split.shifted)

        // Offline: the test split has PSI < 0.1 everywhere; the shifted copy flags the first feature alone.
        let plain = try ForageProcess.run(["drift", "loans@prod", "--input", "test.csv", "--format", "json"], in: directory.url)
        #expect(plain.status == 0, "\(plain.stderr)")
        let plainReport = try Self.json(plain.stdout)
        let plainPSI = Self.features(plainReport)
        #expect(Set(plainPSI.keys) == Set(Self.features))
        #expect(plainPSI.values.allSatisfy { $0 < 0.1 }, "\(plainPSI.filter { $0.value >= 0.1 })")
        #expect(plainReport["drifted"] as? [String] == [])
        #expect(((plainReport["prediction"] as? [String: Any])?["psi"] as? Double ?? 1) < 0.1)
        let shifted = try ForageProcess.run(["drift", "loans@prod", "--input", "shifted.csv", "--format", "json"], in: directory.url)
        let shiftedReport = try Self.json(shifted.stdout)
        #expect(shiftedReport["drifted"] as? [String] == [first], "\(shifted.stdout)")
        let table = try ForageProcess.run(["drift", "loans@prod", "--input", "shifted.csv"], in: directory.url)
        #expect(table.stdout.contains("\(first)") && table.stdout.contains("DRIFT"), "\(table.stdout)")

        // Live: the same rows through the server give the same figures; then the shifted rows fill the window.
        let rows = split.plain.split(separator: "\n").count - 1
        let server = try ForageProcess.start(
            ["serve", "loans@prod", "--port", "0", "--no-access-log", "--drift-window", "\(rows)"], in: directory.url)
        defer { if server.process.isRunning { server.process.terminate() } }
        let client = HTTPConnection(host: "127.0.0.1", port: try ServeSupport.boundPort(server))
        func post(_ csv: String) throws {
            for line in csv.split(separator: "\n").dropFirst() {
                let values = line.split(separator: ",").dropLast().map { Double($0) == nil ? "\"\($0)\"" : String($0) }.joined(separator: ",")
                let response = try client.send(method: "POST", path: "/invocations", body: Data(#"{"inputs": [[\#(values)]]}"#.utf8))
                #expect(response.status == 200, "\(response.text)")
            }
        }
        try post(split.plain)
        let live = try Self.json(try client.send(method: "GET", path: "/drift").text)
        #expect(live["rows"] as? Int == rows && live["drifted"] as? [String] == [])
        let livePSI = Self.features(live)
        for (feature, psi) in plainPSI { #expect(abs((livePSI[feature] ?? .nan) - psi) < 1e-4, "\(feature): live \(livePSI[feature] ?? .nan), offline \(psi)") }
        let metrics = try client.send(method: "GET", path: "/metrics").text
        #expect(metrics.contains(#"forage_feature_drift_psi{feature="\#(first)"}"#) && metrics.contains("forage_prediction_drift_psi"))
        #expect(metrics.contains(#"forage_feature_drift_psi{feature="region"}"#) && !metrics.contains(#"feature="region=north""#))
        try post(split.shifted)
        let drifted = try Self.json(try client.send(method: "GET", path: "/drift").text)
        #expect(drifted["drifted"] as? [String] == [first], "\(drifted)")
        _ = try client.send(method: "GET", path: "/drift")
        server.process.terminate()
        server.process.waitUntilExit()
        let log = String(decoding: server.standardErrorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.components(separatedBy: "drift: feature '\(first)'").count == 2, "logged once: \(log)")

        // --no-drift: no endpoint.
        let off = try ForageProcess.start(["serve", "loans@prod", "--port", "0", "--no-access-log", "--no-drift"], in: directory.url)
        defer { if off.process.isRunning { off.process.terminate() } }
        let offClient = HTTPConnection(host: "127.0.0.1", port: try ServeSupport.boundPort(off))
        let response = try offClient.send(method: "GET", path: "/drift")
        #expect(response.status == 404 && response.text.contains("DRIFT_OFF"))
        off.process.terminate()
        off.process.waitUntilExit()
    }
}
