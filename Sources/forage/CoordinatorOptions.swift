import ArgumentParser
import ForageCore
import ForageEngine
import ForageHTTP
import ForageRemote
import ForageServer
import ForageCoordinator
import Foundation

/// `--listen HOST:PORT --token-file F [--lease-timeout S]`: makes `run` and `resume` a coordinator for remote workers.
struct CoordinatorOptions: ParsableArguments {
    @Option(help: "Also hand trials to `forage worker` processes over HTTP on HOST:PORT (loopback unless HOST says otherwise; port 0 picks one).")
    var listen: String?

    @Option(help: "File holding the workers' bearer token (created with a random token when missing).")
    var tokenFile: String?

    @Option(help: "Seconds a worker's lease (with --shared, its claim, by the database clock) lives without a renewal; then its attempt fails as lost-worker and is re-queued.")
    var leaseTimeout: Double = 30

    @Option(
        help: "Seconds an API request (headers and body) may take to arrive, from its first byte, before it gets 408 and the connection is closed (an upload gets a second more per 256 KB).")
    var requestTimeout: Double = 5

    @Option(help: "With --listen: serve the workers' API over HTTPS with this PEM certificate (chain); needs --tls-key.")
    var tlsCert: String?

    @Option(help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCert != nil && listen == nil { throw ValidationError("--tls-cert needs --listen (TLS is for the workers' API)") }
        if listen != nil && tokenFile == nil { throw ValidationError("--listen needs --token-file (the workers' bearer token)") }
        if let listen, Self.split(listen) == nil { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:7300 or 0.0.0.0:7300") }
        guard leaseTimeout >= 0.5 else { throw ValidationError("--lease-timeout must be at least 0.5 seconds") }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be positive") }
    }

    /// The engine's remote options, when `--listen` is given.
    var remote: RemoteOptions? {
        listen == nil ? nil : RemoteOptions(leaseTimeout: leaseTimeout)
    }

    /// The server's configuration, reading (or creating) the token file.
    func configuration() throws -> CoordinatorConfiguration? {
        guard let listen, let (host, port) = Self.split(listen), let tokenFile else { return nil }
        var configuration = CoordinatorConfiguration(host: host, port: port, token: try TokenFile.readOrCreate(tokenFile))
        configuration.requestTimeout = .milliseconds(Int(requestTimeout * 1000))
        configuration.tls = try tlsCert.map { certificate in try ServerTLS(certificate: certificate, key: tlsKey ?? "") }
        return configuration
    }

    static func split(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    /// What a worker needs to know of the spec: its text, and where its relative paths point.
    static func document(for spec: ExperimentSpec, specPath: String?) -> CoordinatorAPI.SpecDocument {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardized.path
        let base = URL(fileURLWithPath: spec.baseDirectory).standardized.path
        var relative = base
        if base == here {
            relative = "."
        } else if base.hasPrefix(here + "/") {
            relative = String(base.dropFirst(here.count + 1))
        }
        return CoordinatorAPI.SpecDocument(
            experiment: spec.name, spec: spec.source, specSHA256: SHA256Hex.of(spec.source),
            specFile: specPath.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "\(spec.name).yaml", specDirectory: relative)
    }
}

/// The bearer token shared by a coordinator and its workers, kept in a file.
enum TokenFile {
    /// The token in `path`; when the file does not exist, a new random token is written there (mode 0600).
    static func readOrCreate(_ path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path) { return try read(path) }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot create the token file \(path)")
        }
        printNote("wrote a new worker token to \(path); give this file to your workers (--token-file)")
        return token
    }

    /// The token in `path` (surrounding whitespace ignored); an empty or unreadable file is an error.
    static func read(_ path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("cannot read the token file \(path): \(FileProblem.reason(error, path: path))")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError("the token file \(path) is empty") }
        guard !token.contains(where: { $0.isWhitespace || $0.isNewline }) else { throw CLIError("the token file \(path) must hold one token on one line") }
        return token
    }
}
