import ForageTesting
import Foundation
import Testing

/// `forage run --listen … --tls-cert --tls-key`: `curl --cacert` reaches the coordinator over HTTPS, plain HTTP to
/// its port fails cleanly, and `forage worker --coordinator https://… --ca-file` finishes the run through it.
@Suite struct TLSCoordinatorTests {
    @Test func workersWithTheCAFinishARunThroughATLSCoordinator() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            print("note: TLS coordinator test skipped: needs /usr/bin/openssl and /usr/bin/curl")
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (made, output) = try TLSServeTests.tool(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], in: directory.url)
        try #require(made == 0, "openssl: \(output)")
        try directory.write("token", "tls-token-0123456789abcdef\n")
        try directory.write(
            "t.yaml",
            """
            name: tls
            objective: {metric: value, direction: minimize}
            trial: {function: sphere}
            search_space: {x0: {type: float, low: -2, high: 2}}
            searcher: {algorithm: random, seed: 4}
            budget: {trials: 12, parallel: 0}
            """)
        let alone = try ForageProcess.run(["run", "t.yaml", "--tls-cert", "cert.pem", "--tls-key", "key.pem"], in: directory.url)
        #expect(alone.status != 0 && alone.stderr.contains("--tls-cert needs --listen"), "\(alone.stderr)")

        let run = try LoggedProcess.start(
            ["run", "t.yaml", "--listen", "127.0.0.1:0", "--token-file", "token", "--tls-cert", "cert.pem", "--tls-key", "key.pem"],
            in: directory.url, label: "coordinator")
        defer { run.kill() }
        let line = try #require(try await run.waitForStderrLine(containing: "coordinator listening on"), "\(run.stderr)")
        let digits = line.components(separatedBy: "https://127.0.0.1:").last?.prefix(while: \.isNumber) ?? ""
        let port = try #require(Int(digits), "\(line)")
        let (ok, body) = try TLSServeTests.tool(
            "/usr/bin/curl", ["-sS", "--cacert", "cert.pem", "-H", "Authorization: Bearer tls-token-0123456789abcdef", "https://127.0.0.1:\(port)/v1/spec"],
            in: directory.url)
        #expect(ok == 0 && body.contains("sphere"), "\(body)")
        let (plain, plainText) = try TLSServeTests.tool("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(port)/v1/spec"], in: directory.url)
        #expect(plain != 0 && !plainText.contains("sphere"), "plain HTTP got an answer: \(plainText)")

        let worker = try await ForageProcess.runDetached(
            ["worker", "--coordinator", "https://127.0.0.1:\(port)", "--token-file", "token", "--ca-file", "cert.pem", "--name", "tlsw"], in: directory.url)
        #expect(worker.status == 0 && worker.stdout.contains("12 completed"), "\(worker.stdout)\(worker.stderr)")
        #expect(try await run.waitForExit(timeout: 30))
        #expect(run.process.terminationStatus == 0, "\(run.stderr)")
        let plainWorker = try ForageProcess.run(
            ["worker", "--coordinator", "http://127.0.0.1:1", "--token-file", "token", "--ca-file", "cert.pem"], in: directory.url)
        #expect(plainWorker.status != 0 && plainWorker.stderr.contains("--ca-file is for an https:// coordinator"), "\(plainWorker.stderr)")
    }
}
