import ForageCore
import Foundation
import Synchronization

/// A worker's connection to its coordinator: the API calls of `CoordinatorAPI`, over a small pool of keep-alive
/// connections, each call on a Dispatch thread so that blocking sockets never hold up Swift's cooperative pool.
public final class CoordinatorClient: Sendable {
    public let host: String
    public let port: Int
    private let authorization: String
    private let idle = Mutex<[HTTPConnection]>([])
    private let queue = DispatchQueue(label: "forage.worker.http", qos: .userInitiated, attributes: .concurrent)

    /// The client's HTTPS settings, nil for plain HTTP.
    private let tls: TLSOptions?

    /// `url` is `http://HOST:PORT` or `https://HOST:PORT` (a path after it is ignored); `caFile` is the private CA
    /// an `https` coordinator's certificate is verified against (default: the system's roots).
    public init(url: String, token: String, caFile: String? = nil) throws(CoordinatorClientError) {
        guard let components = URLComponents(string: url), components.scheme == "http" || components.scheme == "https", let host = components.host,
            !host.isEmpty
        else {
            throw .invalidURL("'\(url)' is not a coordinator address; use http://HOST:PORT or https://HOST:PORT")
        }
        if caFile != nil && components.scheme != "https" {
            throw .invalidURL("--ca-file is for an https:// coordinator; '\(url)' is plain HTTP")
        }
        self.host = host
        tls = components.scheme == "https" ? TLSOptions(caFile: caFile) : nil
        port = components.port ?? (tls == nil ? 80 : 443)
        authorization = "Bearer \(token)"
    }

    public func lease(worker: String, max: Int) async throws(CoordinatorClientError) -> CoordinatorAPI.LeaseResponse {
        try await call("POST", "/leases", body: CoordinatorAPI.LeaseRequest(worker: worker, max: max))
    }

    public func renew(lease: String) async throws(CoordinatorClientError) -> CoordinatorAPI.ActionResponse {
        try await call("POST", "/leases/\(lease)/renew", body: nil as CoordinatorAPI.Report?)
    }

    public func report(lease: String, _ report: CoordinatorAPI.Report) async throws(CoordinatorClientError) -> CoordinatorAPI.ActionResponse {
        try await call("POST", "/leases/\(lease)/reports", body: report)
    }

    public func finish(lease: String, _ request: CoordinatorAPI.FinishRequest) async throws(CoordinatorClientError) -> CoordinatorAPI.FinishResponse {
        try await call("POST", "/leases/\(lease)/finish", body: request)
    }

    public func finish(_ request: CoordinatorAPI.BatchFinishRequest) async throws(CoordinatorClientError) -> CoordinatorAPI.BatchFinishResponse {
        try await call("POST", "/finish", body: request)
    }

    /// Uploads a trial's model file to the coordinator's trial folder.
    public func upload(lease: String, name: String, contents: Data) async throws(CoordinatorClientError) {
        let _: Empty = try await call("PUT", "/leases/\(lease)/artifacts/\(name)", raw: contents)
    }

    public func spec() async throws(CoordinatorClientError) -> CoordinatorAPI.SpecDocument {
        try await call("GET", "/spec", body: nil as CoordinatorAPI.Report?)
    }

    private func call<Body: Encodable, Answer: Decodable & Sendable>(
        _ method: String, _ path: String, body: Body?
    ) async throws(CoordinatorClientError) -> Answer {
        let payload: Data?
        do {
            payload = try body.map { try WireJSON.encoder().encode($0) }
        } catch {
            throw .invalidURL("cannot encode the request: \(error)")
        }
        return try await call(method, path, raw: payload, contentType: "application/json")
    }

    private func call<Answer: Decodable & Sendable>(
        _ method: String, _ path: String, raw payload: Data?, contentType: String = "application/octet-stream"
    ) async throws(CoordinatorClientError) -> Answer {
        let fullPath = CoordinatorAPI.prefix + path
        let result: Result<Answer, CoordinatorClientError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.blockingCall(method, fullPath, payload, contentType: contentType))
            }
        }
        return try result.get()
    }

    /// An answer with no body to read (204).
    struct Empty: Decodable, Sendable {}

    /// One request on a pooled connection; a connection the server closed while idle is retried once on a new one.
    private func blockingCall<Answer: Decodable>(
        _ method: String, _ path: String, _ payload: Data?, contentType: String
    ) -> Result<Answer, CoordinatorClientError> {
        var headers = [("Authorization", authorization)]
        if payload != nil { headers.append(("Content-Type", contentType)) }
        var response: HTTPConnection.Response?
        var transportError = HTTPTransportError("no attempt")
        for _ in 0..<2 {
            let connection = idle.withLock { $0.popLast() } ?? HTTPConnection(host: host, port: port, tls: tls)
            let reused = connection.isOpen
            do {
                response = try connection.send(method: method, path: path, headers: headers, body: payload)
                idle.withLock { $0.append(connection) }
                break
            } catch {
                transportError = error
                if !reused { break }
            }
        }
        guard let response else { return .failure(.unreachable("\(host):\(port): \(transportError.description)")) }
        let decoder = WireJSON.decoder()
        switch response.status {
        case 204:
            if let empty = Empty() as? Answer { return .success(empty) }
            return .failure(.rejected(status: 204, message: "no answer to \(method) \(path)"))
        case 200..<300:
            do {
                return .success(try decoder.decode(Answer.self, from: response.body))
            } catch {
                return .failure(.rejected(status: response.status, message: "unreadable answer to \(method) \(path): \(error)"))
            }
        default:
            let message = (try? decoder.decode(CoordinatorAPI.ErrorResponse.self, from: response.body).error)
                ?? String(decoding: response.body.prefix(300), as: UTF8.self)
            switch response.status {
            case 401: return .failure(.unauthorized(message))
            case 409: return .failure(.leaseNotHeld(message))
            case 502, 503, 504: return .failure(.unreachable("\(response.status): \(message)"))
            default: return .failure(.rejected(status: response.status, message: message))
            }
        }
    }
}

/// Why a call to the coordinator failed.
public enum CoordinatorClientError: Error, CustomStringConvertible {
    /// The coordinator could not be reached (down, restarting, network): retry with backoff.
    case unreachable(String)
    /// The token was refused (401): retrying cannot help.
    case unauthorized(String)
    /// The lease is no longer held (409): drop the attempt.
    case leaseNotHeld(String)
    /// Any other refusal.
    case rejected(status: Int, message: String)
    /// The coordinator's address is not usable.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .unreachable(let message): return "the coordinator is unreachable: \(message)"
        case .unauthorized(let message): return "the coordinator refused the token (401): \(message)"
        case .leaseNotHeld(let message): return "the coordinator no longer holds this lease (409): \(message)"
        case .rejected(let status, let message): return "the coordinator answered \(status): \(message)"
        case .invalidURL(let message): return message
        }
    }
}
