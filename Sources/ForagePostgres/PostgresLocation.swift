import Foundation

/// A PostgreSQL store location parsed from `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…&host=/socket/dir]`
/// (or `postgresql://…`), with the password taken from the URL, else `$PGPASSWORD`, else `~/.pgpass`.
public struct PostgresLocation: Sendable, Equatable {
    /// How the connection uses TLS (libpq's `sslmode` values that Forage honours).
    public enum TLSMode: String, Sendable {
        case disable
        case prefer
        case require
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// A folder holding the server's Unix socket (`?host=/run/postgresql`), used instead of TCP when set.
    public var socketDirectory: String?
    public var tls: TLSMode
    /// The URL without its password, for messages.
    public var display: String

    /// Whether `text` names a PostgreSQL store rather than a folder.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a store URL; `environment` and `home` are where `PGPASSWORD` and `.pgpass` are looked up.
    public init(
        parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        home: String = NSHomeDirectory()
    ) throws(PostgresStoreError) {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw .badURL(text, "write it as postgres://USER@HOST:PORT/DATABASE")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw .badURL(text, "it names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw .badURL(text, "it names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let socket = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        guard (1...65535).contains(port) else { throw .badURL(text, "the port \(port) is not between 1 and 65535") }
        let mode = query["sslmode"] ?? "prefer"
        switch mode {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw .badURL(text, "sslmode '\(mode)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        let known: Set<String> = ["sslmode", "host", "port", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badURL(text, "the parameter '\(unknown)' is not supported (known: \(known.sorted().joined(separator: ", ")))")
        }
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.socketDirectory = socket
        var shown = components
        shown.password = nil
        display = shown.string ?? text
        if let password = components.percentEncodedPassword?.removingPercentEncoding {
            self.password = password
        } else if let password = environment["PGPASSWORD"] {
            self.password = password
        } else {
            let file = environment["PGPASSFILE"] ?? (home as NSString).appendingPathComponent(".pgpass")
            self.password = PGPass.lookup(file: file, host: socket ?? host, port: port, database: database, user: user)
        }
    }
}

/// Reads `~/.pgpass` (`host:port:database:user:password` lines, `*` matching anything, `\:` and `\\` escaped) as
/// libpq does; a file others can read is ignored, like libpq ignores it.
enum PGPass {
    static func lookup(file: String, host: String, port: Int, database: String, user: String) -> String? {
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 == 0,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return nil }
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in
                field == "*" || field == value || (field == "localhost" && value.hasPrefix("/"))
            }
            if matches { return fields[4] }
        }
        return nil
    }

    /// Splits one line on unescaped colons, undoing `\:` and `\\`.
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
