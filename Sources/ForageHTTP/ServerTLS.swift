import Foundation
import NIOSSL

/// TLS for a Forage server (`--tls-cert FILE --tls-key FILE`): the certificate chain and private key, loaded and
/// checked once at start, so a bad file is refused before the server listens.
public struct ServerTLS: Sendable {
    let context: NIOSSLContext
    /// The same settings, for servers built on Hummingbird's TLS builder (the dashboard).
    public let configuration: TLSConfiguration

    /// Loads a PEM certificate chain and its PEM private key.
    public init(certificate: String, key: String) throws(ServerTLSError) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw .unreadable(file: certificate, what: "a PEM certificate (chain)", reason: Self.reason(error, file: certificate))
        }
        guard !chain.isEmpty else { throw .unreadable(file: certificate, what: "a PEM certificate (chain)", reason: "it holds no certificate") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw .unreadable(file: key, what: "a PEM private key", reason: Self.reason(error, file: key))
        }
        configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .mismatch(certificate: certificate, key: key)
        }
    }

    private static func reason(_ error: any Error, file: String) -> String {
        FileManager.default.isReadableFile(atPath: file) ? "it is not in PEM format" : "no such readable file"
    }
}

/// Why `--tls-cert`/`--tls-key` were refused.
public enum ServerTLSError: Error, CustomStringConvertible {
    case unreadable(file: String, what: String, reason: String)
    case mismatch(certificate: String, key: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let what, let reason): return "\(file): cannot read \(what) from it: \(reason)"
        case .mismatch(let certificate, let key): return "the private key \(key) does not match the certificate \(certificate)"
        }
    }
}

