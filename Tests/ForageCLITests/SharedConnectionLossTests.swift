import ForageTesting
import Foundation
import Testing

/// A search on the shared store goes on when the server ends every session mid-run (`pg_terminate_backend`, as an
/// administrator or a restart would): the driver's and the workers' calls are retried on fresh connections, and the
/// search completes by itself with the exact budget, no trial number or parameter set completed twice.
@Suite(.serialized) struct SharedConnectionLossTests {
    @Test func aSearchCompletesExactlyAfterTheServerEndsEverySessionTwice() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try SharedWorkerTests.prepare(directory, name: "loss", trials: 40, parallel: 2)
        let url = try server.createDatabase("loss")
        _ = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        let environment = ["TRIAL_SLEEP": "0.1"]
        let driver = try ForageProcess.start(
            ["run", "loss.yaml", "--store", url, "--shared", "--lease-timeout", "2"], in: directory.url, environment: environment)
        let worker = try ForageProcess.start(
            ["worker", "--store", url, "--experiment", "loss", "--parallel", "2", "--name", "w1", "--quiet"], in: directory.url,
            environment: environment)
        func completed() throws -> Int {
            Int(try server.psql(url, "SELECT count(*) FROM trials WHERE state = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        var terminated = 0
        for threshold in [8, 20] {
            // Generous: a loaded machine may start slowly; the test only needs the search to be under way.
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline, try completed() < threshold { Thread.sleep(forTimeInterval: 0.05) }
            let answer = try server.psql(
                url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            terminated += Int(answer.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        #expect(terminated >= 2)
        for process in [driver, worker] {
            process.process.waitUntilExit()
            let out = String(decoding: process.standardOutputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: process.standardErrorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.process.terminationStatus == 0, "\(out)\(err)")
        }
        _ = try SharedWorkerTests.checkFinished("loss", budget: 40, url: url, in: directory.url)
    }
}
