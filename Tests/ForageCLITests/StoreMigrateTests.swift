import ForageTesting
import Foundation
import Testing

/// End-to-end: a store of an older schema is refused by readers with the command that migrates it, and
/// `forage store migrate` migrates it (and says so), after which the readers answer from the new index.
@Suite struct StoreMigrateTests {
    static let spec = """
        name: minimize
        objective: {metric: value, direction: minimize}
        trial: {function: sphere}
        search_space:
          x0: {type: float, low: -2, high: 2}
        searcher: {algorithm: random, seed: 5}
        budget: {trials: 30}
        """

    @Test func anOlderStoreIsRefusedByReadersAndMigratedOnRequest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("spec.yaml", Self.spec)
        let run = try ForageProcess.run(["run", "spec.yaml"], in: directory.url)
        try #require(run.status == 0, "\(run.stderr)")
        let before = try ForageProcess.run(["leaderboard", "minimize", "--format", "csv"], in: directory.url)
        let database = directory.url.appendingPathComponent(".forage/forage.sqlite").path

        // Take the store back to schema version 6: the leaderboard index and its migration record go.
        _ = try ForageProcess.runShell(
            """
            python3 -c "import sqlite3; c = sqlite3.connect('\(database)'); c.execute('DROP INDEX trials_leaderboard'); c.execute('DROP INDEX trials_by_worker'); \
            c.execute(\\"DELETE FROM grdb_migrations WHERE identifier = '7-leaderboard-index'\\"); c.execute('PRAGMA user_version = 6'); c.commit()"
            """, in: directory.url)

        let refused = try ForageProcess.run(["leaderboard", "minimize"], in: directory.url)
        #expect(refused.status != 0)
        // The numbers count the migrations applied and known (other migrations may follow 7), one apart here.
        #expect(refused.stderr.contains("older than this Forage's"), "\(refused.stderr)")
        #expect(refused.stderr.contains("forage store migrate"), "\(refused.stderr)")

        let migrated = try ForageProcess.run(["store", "migrate"], in: directory.url)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.range(of: #"from schema version (\d+) to (\d+)"#, options: .regularExpression) != nil, "\(migrated.stdout)")
        let again = try ForageProcess.run(["store", "migrate"], in: directory.url)
        #expect(again.stdout.contains("up to date"), "\(again.stdout)")

        let after = try ForageProcess.run(["leaderboard", "minimize", "--format", "csv"], in: directory.url)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == before.stdout)
        #expect(after.stdout.split(separator: "\n").count == 31)
    }

    @Test func migratingWhereThereIsNoStoreSaysSo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try ForageProcess.run(["store", "migrate", "--store", "missing"], in: directory.url)
        #expect(result.status != 0)
        #expect(result.stderr.contains("no Forage store at"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("missing").path))
    }
}
