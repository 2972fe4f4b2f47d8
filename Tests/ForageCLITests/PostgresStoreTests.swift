import ForageRemote
import ForageTesting
import Foundation
import Testing

/// The PostgreSQL store end to end, as a user runs it: an empty database is refused with advice, `forage store
/// migrate` creates the schema, and `run`, `status`, `trials`, `leaderboard`, `promote`, `models` and `predict`
/// work on the URL as on a folder — with the same trials as a SQLite store given the same seed.
@Suite struct PostgresStoreTests {
    static let spec = """
        name: pg
        objective: {metric: value, direction: minimize}
        trial: {function: sphere, steps: 3}
        search_space: {x0: {type: float, low: -3, high: 3}, x1: {type: float, low: -3, high: 3}}
        searcher: {algorithm: tpe, seed: 11, n_startup: 5}
        scheduler: {algorithm: asha, resource: step, min: 1, max: 3, reduction: 3}
        budget: {trials: 24, parallel: 1}
        """

    @Test func readCommandsAndRunWorkOnAPostgresURLAsOnAFolder() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("pg.yaml", Self.spec)
        let url = try server.createDatabase("cli")

        let empty = try ForageProcess.run(["status", "--store", url], in: directory.url)
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("no Forage store at postgres://forage@127.0.0.1"), "\(empty.stderr)")
        let migrate = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        #expect(migrate.status == 0 && migrate.stdout.contains("migrated") && migrate.stdout.contains("1-experiments-trials-registry"), "\(migrate.stdout)\(migrate.stderr)")
        let again = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        #expect(again.stdout.contains("is up to date; nothing to migrate"), "\(again.stdout)\(again.stderr)")

        let run = try ForageProcess.run(["run", "pg.yaml", "--store", url], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let local = try ForageProcess.run(["run", "pg.yaml", "--store", "local"], in: directory.url)
        #expect(local.status == 0, "\(local.stderr)")

        let status = try ForageProcess.run(["status", "pg", "--format", "json", "--store", url], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stderr)")
        #expect(object["state"] as? String == "finished", "\(object)")
        // The same seed gives the same trials, values, states and decisions on either store.
        func listing(_ store: String) throws -> String {
            let csv = try ForageProcess.run(["trials", "pg", "--format", "csv", "--store", store], in: directory.url)
            #expect(csv.status == 0, "\(csv.stderr)")
            // Timings differ from run to run; every other column must match.
            let lines = csv.stdout.split(separator: "\n").map(String.init)
            guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return "" }
            let kept = header.indices.filter { !["duration", "started", "finished", "started_at", "finished_at", "duration_s"].contains(header[$0]) }
            return lines.map { line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return kept.map { $0 < cells.count ? cells[$0] : "" }.joined(separator: ",")
            }.joined(separator: "\n")
        }
        let remote = try listing(url)
        #expect(remote.split(separator: "\n").count == 25)
        #expect(remote == (try listing("local")))
        let board = try ForageProcess.run(["leaderboard", "pg", "--top", "3", "--store", url], in: directory.url)
        let localBoard = try ForageProcess.run(["leaderboard", "pg", "--top", "3", "--store", "local"], in: directory.url)
        // Durations aside (the last column), the leaderboards agree.
        func withoutDurations(_ text: String) -> [String] {
            text.split(separator: "\n").map { $0.split(separator: " ").dropLast().joined(separator: " ") }
        }
        #expect(board.status == 0 && withoutDurations(board.stdout) == withoutDurations(localBoard.stdout), "\(board.stdout)\n\(localBoard.stdout)\n\(board.stderr)")

        let models = try ForageProcess.run(["models", "list", "--store", url], in: directory.url)
        #expect(models.status == 0, "\(models.stderr)")
        let missing = try ForageProcess.run(["models", "show", "nope", "--store", url], in: directory.url)
        #expect(missing.status != 0 && missing.stderr.contains("no model named 'nope'"), "\(missing.stderr)")
        let bad = try ForageProcess.run(["status", "--store", "postgres://127.0.0.1/x"], in: directory.url)
        #expect(bad.status != 0 && bad.stderr.contains("names no user"), "\(bad.stderr)")
    }

    /// Promote, predict and serve on the shared store, and an alias move the server learns of through
    /// `LISTEN/NOTIFY`: with polling set to 30 s, it serves the new version within 1 s.
    @Test func serveFollowsAnAliasMoveThroughNotificationsWithinASecond() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var rows = ["a,b,label"]
        for i in 0..<60 { rows.append("\(Double(i % 3) * 2 + Double(i % 7) * 0.05),\(Double(i % 5) * 0.1),c\(i % 3)") }
        try directory.write("data.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("m.yaml", """
            objective: {metric: val_accuracy, direction: maximize}
            trial: {model: logistic}
            data: {path: data.csv, target: label, task: classification, validation: 0.2, test: 0.2, seed: 1}
            search_space: {l2: {type: float, low: 1.0e-5, high: 1.0, log: true}}
            searcher: {algorithm: random, seed: 2}
            budget: {trials: 2, parallel: 1}
            promote: {model: iris, alias: prod}
            """)
        let url = try server.createDatabase("serve")
        let run = try ForageProcess.run(["run", "m.yaml", "--store", url], in: directory.url)
        #expect(run.status == 0 && run.stdout.contains("as iris:1"), "\(run.stdout)\(run.stderr)")
        let second = try ForageProcess.run(["promote", "m", "--trial", "1", "--model", "iris", "--store", url], in: directory.url)
        #expect(second.status == 0, "\(second.stderr)")
        try directory.write("x.csv", "a,b\n0.1,0.2\n4.05,0.3\n")
        let predict = try ForageProcess.run(["predict", "iris@prod", "--input", "x.csv", "--store", url], in: directory.url)
        #expect(predict.status == 0 && predict.stdout.split(separator: "\n").count == 3, "\(predict.stdout)\(predict.stderr)")

        let serving = try ForageProcess.start(
            ["serve", "iris@prod", "--port", "0", "--poll", "30", "--no-access-log", "--store", url], in: directory.url)
        defer { if serving.process.isRunning { serving.process.terminate() } }
        let client = HTTPConnection(host: "127.0.0.1", port: try ServeSupport.boundPort(serving))
        #expect(try client.send(method: "GET", path: "/version").text.contains(#""version":1"#))
        // Give the listener a moment to subscribe, then move the alias and time the swap.
        Thread.sleep(forTimeInterval: 0.5)
        let move = try ForageProcess.run(["models", "alias", "iris", "prod", "2", "--store", url], in: directory.url)
        #expect(move.status == 0, "\(move.stderr)")
        let movedAt = Date()
        var seenAfter: Double?
        while Date().timeIntervalSince(movedAt) < 5 {
            if try client.send(method: "GET", path: "/version").text.contains(#""version":2"#) {
                seenAfter = Date().timeIntervalSince(movedAt)
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let seen = try #require(seenAfter, "the server did not follow the alias within 5 s")
        #expect(seen < 1, "followed after \(seen) s")
    }
}
