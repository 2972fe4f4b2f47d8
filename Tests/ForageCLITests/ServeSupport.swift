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
}
