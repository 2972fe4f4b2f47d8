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
        try ServeSupport.writeLogisticExperiment(in: directory, trials: 2)
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

    /// `forage store copy` SQLite → PostgreSQL → SQLite: the same `trials --format csv` (an ASHA experiment with
    /// pruned trials and decisions, and a model experiment) and the same registry, every blob hash verified.
    @Test func copyingSQLiteToPostgresAndBackKeepsTrialsAndTheRegistry() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("pg.yaml", Self.spec)
        try ServeSupport.writeLogisticExperiment(in: directory, trials: 2)
        for spec in ["pg.yaml", "m.yaml"] {
            let run = try ForageProcess.run(["run", spec, "--store", "a", "--tag", "team=x"], in: directory.url)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let promote = try ForageProcess.run(["promote", "m", "--trial", "1", "--model", "iris", "--alias", "prod", "--store", "a"], in: directory.url)
        #expect(promote.status == 0, "\(promote.stderr)")
        _ = try ForageProcess.run(["models", "rollback", "iris", "prod", "--store", "a"], in: directory.url)
        let url = try server.createDatabase("copy")
        let there = try ForageProcess.run(["store", "copy", "a", url], in: directory.url)
        #expect(there.status == 0 && there.stdout.contains("copied 2 experiments (26 trials) and 1 model (2 versions"), "\(there.stdout)\(there.stderr)")
        let back = try ForageProcess.run(["store", "copy", url, "b"], in: directory.url)
        #expect(back.status == 0 && back.stdout.contains("blob hashes verified"), "\(back.stdout)\(back.stderr)")
        let again = try ForageProcess.run(["store", "copy", "a", url], in: directory.url)
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")
        for experiment in ["pg", "m"] {
            let original = try ForageProcess.run(["trials", experiment, "--format", "csv", "--store", "a"], in: directory.url).stdout
            #expect(original.split(separator: "\n").count > 2)
            #expect(try ForageProcess.run(["trials", experiment, "--format", "csv", "--store", url], in: directory.url).stdout == original)
            #expect(try ForageProcess.run(["trials", experiment, "--format", "csv", "--store", "b"], in: directory.url).stdout == original)
            let json = try ForageProcess.run(["trials", experiment, "--format", "json", "--store", "b"], in: directory.url).stdout
            #expect(json == (try ForageProcess.run(["trials", experiment, "--format", "json", "--store", "a"], in: directory.url).stdout))
        }
        func registry(_ store: String) throws -> [String] {
            let show = try ForageProcess.run(["models", "show", "iris", "--format", "json", "--store", store], in: directory.url)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], "\(show.stderr)")
            let versions = object["versions"] as? [[String: Any]] ?? []
            let history = try ForageProcess.run(["models", "history", "iris", "--format", "json", "--store", store], in: directory.url)
            let moves = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])?["moves"] as? [[String: Any]] ?? []
            return versions.map { "\($0["version"] ?? "?") \($0["blob_sha256"] ?? "?") \($0["aliases"] ?? "?")" }
                + moves.map { "\($0["alias"] ?? "?") \($0["old_version"] ?? "-")→\($0["new_version"] ?? "?") \($0["kind"] ?? "?")" }
        }
        let original = try registry("a")
        #expect(original.count == 5, "\(original)")
        #expect(try registry(url) == original)
        #expect(try registry("b") == original)
        let status = try ForageProcess.run(["status", "--tag", "team=x", "--store", "b"], in: directory.url)
        #expect(status.stdout.contains("pg") && status.stdout.contains("m"), "\(status.stdout)")
    }

    /// A trial's model files are kept in the database: from a folder on "another machine" (no trial folders there),
    /// `promote` and `predict NAME/N` take the model from the store, verified by its hash, and a corrupted blob is
    /// refused in Forage's words.
    @Test func trialModelsArePromotedFromTheDatabaseOnAnotherMachine() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ServeSupport.writeLogisticExperiment(in: directory, trials: 3)
        let spec = try String(contentsOf: directory.url.appendingPathComponent("m.yaml"), encoding: .utf8)
        try directory.write("m.yaml", spec + "\nrefit: false\n")
        let url = try server.createDatabase("trialfiles")
        let run = try ForageProcess.run(["run", "m.yaml", "--store", url], in: directory.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try server.psql(url, "SELECT count(DISTINCT number) FROM trial_files WHERE name = 'model.forage'")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "3")

        let elsewhere = try TemporaryDirectory()
        defer { elsewhere.remove() }
        try elsewhere.write("x.csv", "a,b\n0.1,0.2\n4.05,0.3\n")
        let here = try ForageProcess.run(["predict", "m/2", "--input", "x.csv", "--store", "\(directory.url.path)/.forage"], in: elsewhere.url)
        #expect(here.status != 0, "a SQLite folder without the experiment has nothing to give")
        let predicted = try ForageProcess.run(["predict", "m/2", "--input", "x.csv", "--store", url], in: elsewhere.url)
        #expect(predicted.status == 0 && predicted.stdout.split(separator: "\n").count == 3, "\(predicted.stdout)\(predicted.stderr)")
        try directory.write("x.csv", "a,b\n0.1,0.2\n4.05,0.3\n")
        let local = try ForageProcess.run(["predict", "m/2", "--input", "x.csv", "--store", url], in: directory.url)
        #expect(local.status == 0 && local.stdout == predicted.stdout, "the kept file predicts as the trial folder's does: \(local.stderr)")
        let promote = try ForageProcess.run(["promote", "m", "--trial", "1", "--model", "far", "--store", url], in: elsewhere.url)
        #expect(promote.status == 0 && promote.stdout.contains("far:1"), "\(promote.stdout)\(promote.stderr)")
        let viaRegistry = try ForageProcess.run(["predict", "far:1", "--input", "x.csv", "--store", url], in: elsewhere.url)
        let viaTrial = try ForageProcess.run(["predict", "m/1", "--input", "x.csv", "--store", url], in: elsewhere.url)
        #expect(viaRegistry.status == 0 && viaRegistry.stdout == viaTrial.stdout, "\(viaRegistry.stdout)\(viaRegistry.stderr)")

        // A blob changed behind Forage's back is refused, not served.
        try server.psql(url, """
            UPDATE blobs SET data = decode('00', 'hex') WHERE sha256 IN (
                SELECT sha256 FROM trial_files WHERE number = 0 AND name = 'model.forage')
            """)
        let corrupt = try ForageProcess.run(["promote", "m", "--trial", "0", "--model", "bad", "--store", url], in: elsewhere.url)
        #expect(corrupt.status != 0 && corrupt.stderr.contains("is corrupt"), "\(corrupt.stderr)")
    }

    /// `run --shared` refits and promotes at the end as a local run does, also when the best trial ran on a worker
    /// started from another folder (its model file is taken from the store).
    @Test func aSharedRunRefitsAndPromotesWhenItFinishes() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ServeSupport.writeLogisticExperiment(in: directory, trials: 6)
        let url = try server.createDatabase("sharedpromote")
        let elsewhere = try TemporaryDirectory()
        defer { elsewhere.remove() }
        let worker = try ForageProcess.start(["worker", "--store", url, "--experiment", "m", "--wait", "120", "--name", "far"], in: elsewhere.url)
        defer { if worker.process.isRunning { worker.process.terminate() } }
        let run = try ForageProcess.run(["run", "m.yaml", "--store", url, "--shared", "--lease-timeout", "10"], in: directory.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("finished: 6/6 trials"), "\(run.stdout)")
        #expect(run.stdout.contains("refit trial"), "\(run.stdout)")
        #expect(run.stdout.contains("as iris:1"), "\(run.stdout)\(run.stderr)")
        worker.process.waitUntilExit()
        let shown = try ForageProcess.run(["models", "show", "iris", "--format", "json", "--store", url], in: elsewhere.url)
        #expect(shown.status == 0 && shown.stdout.contains("refit"), "\(shown.stdout)\(shown.stderr)")
        try elsewhere.write("x.csv", "a,b\n0.1,0.2\n4.05,0.3\n")
        let predicted = try ForageProcess.run(["predict", "iris@prod", "--input", "x.csv", "--store", url], in: elsewhere.url)
        #expect(predicted.status == 0 && predicted.stdout.split(separator: "\n").count == 3, "\(predicted.stdout)\(predicted.stderr)")
    }

    /// A database at an older schema is refused with the command that migrates it, and nothing migrates it but that
    /// command; one from a newer Forage is refused.
    @Test func olderAndNewerSchemasAreRefusedWithAdvice() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("pg.yaml", Self.spec)
        let url = try server.createDatabase("schema")
        // What a Forage from before the first migration would leave: the bookkeeping table, nothing applied.
        try server.psql(url, "CREATE TABLE forage_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        for arguments in [["status"], ["run", "pg.yaml"]] {
            let refused = try ForageProcess.run(arguments + ["--store", url], in: directory.url)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.stderr.contains("has schema version 0, older than this Forage's 6; run `forage store migrate postgres://forage@127.0.0.1"), "\(refused.stderr)")
        }
        #expect(try server.psql(url, "SELECT count(*) FROM forage_migrations").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let migrate = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(try ForageProcess.run(["status", "--store", url], in: directory.url).status == 0)
        try server.psql(url, "INSERT INTO forage_migrations (number, name) VALUES (99, 'from-the-future')")
        let newer = try ForageProcess.run(["status", "--store", url], in: directory.url)
        #expect(newer.status != 0 && newer.stderr.contains("was written by a newer Forage"), "\(newer.stderr)")
        let noMigrate = try ForageProcess.run(["store", "migrate", url], in: directory.url)
        #expect(noMigrate.status != 0 && noMigrate.stderr.contains("newer Forage"), "\(noMigrate.stderr)")
    }
}
