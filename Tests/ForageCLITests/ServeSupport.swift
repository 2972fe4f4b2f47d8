import ForageTesting
import Foundation
import Testing

/// Helpers for tests that start `forage serve`.
enum ServeSupport {
    /// Reads the server's first stdout line (`serving … on http://127.0.0.1:PORT`) and returns the port.
    static func boundPort(_ server: ForageProcess.Running) throws -> Int {
        var text = ""
        let handle = server.standardOutputPipe.fileHandleForReading
        while !text.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        let port = text.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return try #require(port, "no bound address in: \(text)")
    }

    /// Writes `data.csv` (three well-separated classes in `rows` rows, columns `a`, `b`, `label`) and `m.yaml`, a
    /// logistic search of `trials` trials on it that promotes its best trial as `iris@prod`.
    static func writeLogisticExperiment(in directory: TemporaryDirectory, rows count: Int = 60, trials: Int) throws {
        var rows = ["a,b,label"]
        for i in 0..<count { rows.append("\(Double(i % 3) * 2 + Double(i % 7) * 0.05),\(Double(i % 5) * 0.1),c\(i % 3)") }
        try directory.write("data.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("m.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-5, high: 1.0, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: \(trials), parallel: 1}
            promote: {model: iris, alias: prod}
            """)
    }
}
