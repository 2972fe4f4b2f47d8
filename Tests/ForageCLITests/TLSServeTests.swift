import ForageTesting
import Foundation
import Testing

/// `forage serve --tls-cert --tls-key`: `curl --cacert` reaches it over HTTPS, plain HTTP to the TLS port fails
/// cleanly (and the server goes on answering), and a bad key or certificate is refused before anything listens.
@Suite struct TLSServeTests {
    /// Runs a program to completion and returns its exit status and output.
    static func tool(_ path: String, _ arguments: [String], in directory: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func curlWithTheCAReachesServeOverTLSAndPlainHTTPFailsCleanly() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            print("note: TLS test skipped: needs /usr/bin/openssl and /usr/bin/curl")
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ServeSupport.writeLogisticExperiment(in: directory, trials: 1)
        let run = try ForageProcess.run(["run", "m.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let (made, output) = try Self.tool(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], in: directory.url)
        try #require(made == 0, "openssl: \(output)")

        let refused = try ForageProcess.run(["serve", "iris@prod", "--port", "0", "--tls-cert", "cert.pem", "--tls-key", "data.csv"], in: directory.url)
        #expect(refused.status != 0 && refused.stderr.contains("data.csv: cannot read a PEM private key"), "\(refused.stderr)")
        let alone = try ForageProcess.run(["serve", "iris@prod", "--tls-cert", "cert.pem"], in: directory.url)
        #expect(alone.status != 0 && alone.stderr.contains("--tls-cert and --tls-key go together"), "\(alone.stderr)")

        let server = try ForageProcess.start(
            ["serve", "iris@prod", "--port", "0", "--no-access-log", "--tls-cert", "cert.pem", "--tls-key", "key.pem"], in: directory.url)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try ServeSupport.boundPort(server)
        let (ok, body) = try Self.tool("/usr/bin/curl", ["-sS", "--cacert", "cert.pem", "https://127.0.0.1:\(port)/version"], in: directory.url)
        #expect(ok == 0 && body.contains(#""version":1"#), "\(body)")
        let (untrusted, _) = try Self.tool("/usr/bin/curl", ["-sS", "https://127.0.0.1:\(port)/ping"], in: directory.url)
        #expect(untrusted != 0, "curl trusted a self-signed certificate without --cacert")
        let (plain, plainText) = try Self.tool("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(port)/ping"], in: directory.url)
        #expect(plain != 0 && !plainText.contains("ok"), "plain HTTP got an answer: \(plainText)")
        let (again, after) = try Self.tool("/usr/bin/curl", ["-sS", "--cacert", "cert.pem", "https://127.0.0.1:\(port)/ping"], in: directory.url)
        #expect(again == 0 && after.contains("ok"), "\(after)")
        #expect(server.process.isRunning)

        // The dashboard over TLS too.
        let dashboard = try ForageProcess.start(
            ["dashboard", "--port", "0", "--tls-cert", "cert.pem", "--tls-key", "key.pem"], in: directory.url)
        defer { if dashboard.process.isRunning { dashboard.process.terminate() } }
        var line = ""
        while !line.contains("\n") {
            let data = dashboard.standardOutputPipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        #expect(line.hasPrefix("dashboard on https://127.0.0.1:"), "\(line)")
        let dashboardPort = line.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        let (page, html) = try Self.tool("/usr/bin/curl", ["-sS", "--cacert", "cert.pem", "https://127.0.0.1:\(dashboardPort)/"], in: directory.url)
        #expect(page == 0 && html.contains("m"), "\(html.prefix(300))")
        let (plainPage, _) = try Self.tool("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(dashboardPort)/"], in: directory.url)
        #expect(plainPage != 0)
    }
}
