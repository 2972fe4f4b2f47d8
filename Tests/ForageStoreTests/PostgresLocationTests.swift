import ForagePostgres
import ForageTesting
import Foundation
import Testing

/// PostgreSQL store URLs: the parts, the password's three sources in libpq's order, `sslmode`, and bad URLs
/// refused in Forage's words without echoing a password.
@Suite struct PostgresLocationTests {
    @Test func partsAndDefaults() throws {
        let full = try PostgresLocation(parsing: "postgresql://ann@db.example:6543/runs?sslmode=require", environment: [:], home: "/nonexistent")
        #expect(full.user == "ann" && full.host == "db.example" && full.port == 6543 && full.database == "runs")
        #expect(full.tls == .require && full.password == nil && full.socketDirectory == nil)
        let short = try PostgresLocation(parsing: "postgres://bob@localhost/x", environment: [:], home: "/nonexistent")
        #expect(short.port == 5432 && short.tls == .prefer)
        let socket = try PostgresLocation(parsing: "postgres://bob@/x?host=/run/postgresql", environment: [:], home: "/nonexistent")
        #expect(socket.socketDirectory == "/run/postgresql")
        #expect(try PostgresLocation(parsing: "postgres://u@h/d?sslmode=disable", environment: [:], home: "/x").tls == .disable)
    }

    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenPgpass() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let pgpass = try home.write(".pgpass", "# comment\nother:5432:*:ann:nope\ndb.example:*:runs:ann:from\\:file\n")
        chmod(pgpass.path, 0o600)
        let url = "postgres://ann@db.example/runs"
        #expect(try PostgresLocation(parsing: url, environment: [:], home: home.url.path).password == "from:file")
        #expect(try PostgresLocation(parsing: url, environment: ["PGPASSWORD": "env"], home: home.url.path).password == "env")
        let inline = try PostgresLocation(parsing: "postgres://ann:p%40ss@db.example/runs", environment: ["PGPASSWORD": "env"], home: home.url.path)
        #expect(inline.password == "p@ss")
        #expect(!inline.display.contains("p%40ss") && !inline.display.contains("p@ss"))
        // A .pgpass others can read is ignored, as libpq ignores it.
        chmod(pgpass.path, 0o644)
        #expect(try PostgresLocation(parsing: url, environment: [:], home: home.url.path).password == nil)
    }

    @Test func badURLsAreRefusedInForagesWords() {
        let cases: [(String, String)] = [
            ("postgres://localhost/x", "names no user"),
            ("postgres://u@localhost", "names no database"),
            ("postgres://u@localhost/x?sslmode=sometimes", "sslmode 'sometimes' is not one of"),
            ("postgres://u@localhost/x?colour=blue", "the parameter 'colour' is not supported"),
            ("postgres://u:secret@localhost/x?sslmode=bad", "'postgres://u:***@localhost/x?sslmode=bad'"),
        ]
        for (url, expected) in cases {
            do {
                _ = try PostgresLocation(parsing: url, environment: [:], home: "/nonexistent")
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.description.contains(expected), "\(url): \(error.description)")
                #expect(!error.description.contains("secret"))
            }
        }
    }
}
