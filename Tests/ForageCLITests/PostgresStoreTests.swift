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
}
