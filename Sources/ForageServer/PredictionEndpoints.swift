import ForageCore
import ForageML
import ForageRegistry
import ForageStore
import Foundation
import Hummingbird

/// The prediction service's endpoints (DESIGN §7): `POST /invocations`, `GET /ping`, `/health`, `/version`,
/// `/metrics`, and `GET /rollout` (the canary's and shadow's figures).
struct PredictionEndpoints: Sendable {
    let rollout: Rollout
    /// Nil when drift monitoring is off.
    let drift: DriftMonitor?
    let reference: ModelReference
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    /// The service's paths and the methods each answers (anything else gets 404 or 405 from `EndpointGuard`).
    static let methods: [String: [HTTPRequest.Method]] = [
        "/invocations": [.post], "/ping": [.get], "/health": [.get], "/version": [.get], "/metrics": [.get], "/rollout": [.get],
        "/drift": [.get],
    ]

    /// The primary model (the one named first).
    var served: ServedModel { rollout.primary }

    func add(to router: Router<BasicRequestContext>) {
        router.middlewares.add(EndpointGuard(endpoints: Self.methods) { status, code, message in Self.error(status, code: code, message) })
        router.post("invocations") { request, _ in await invocations(request) }
        router.get("ping") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("health") { _, _ in
            let snapshot = served.snapshot
            return Self.json(#"{"status":"ok","model":\#(JSONText.quoted(snapshot.version.model)),"version":\#(snapshot.version.version)}"#)
        }
        router.get("version") { _, _ in version() }
        router.get("rollout") { _, _ in Self.json(rollout.json(primaryReference: reference.description)) }
        router.get("drift") { _, _ in
            guard let drift else {
                return Self.error(.notFound, code: "DRIFT_OFF", "drift monitoring is off (the server was started with --no-drift)")
            }
            return Self.json(drift.json(for: served.snapshot))
        }
        router.get("metrics") { _, _ in
            drift?.refresh(for: served.snapshot)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    /// `POST /invocations` when Hummingbird routes it (chunked bodies, or requests pipelined behind another one);
    /// the usual case is answered by `InvocationsFastLane` with the same `answer(_:query:contentType:)`.
    func invocations(_ request: Request) async -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes { return tooLarge() }
        let body: ByteBuffer
        do {
            // A body that stalls is cut by the connection's request timeout (ServeChannel), which answers 408.
            var request = request
            body = try await request.collectBody(upTo: maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return tooLarge()
        } catch {
            return Self.error(.badRequest, code: "BAD_REQUEST", "the body could not be read to its end")
        }
        let answer = answer(
            body, query: request.uri.query.map { Substring($0) }, contentType: request.headers[.contentType],
            requestID: Names.requestID.flatMap { request.headers[$0] })
        var headers: HTTPFields = [.contentType: "application/json"]
        answer.addHeaders(to: &headers)
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: answer.body))
    }

    func version() -> Response {
        let snapshot = served.snapshot
        let version = snapshot.version
        var alias = "null"
        if case .alias(let name) = reference.selector { alias = JSONText.quoted(name) }
        let lineage = version.lineage
        let text = """
            {"model":\(JSONText.quoted(version.model)),"version":\(version.version),"alias":\(alias),\
            "reference":\(JSONText.quoted(reference.description)),"blob_sha256":"\(version.blobSHA256)",\
            "experiment":\(lineage.experiment.map(JSONText.quoted) ?? "null"),"trial":\(lineage.trial.map(String.init) ?? "null"),\
            "loaded_at":"\(ISO8601DateFormatter().string(from: snapshot.loadedAt))"}
            """
        return Self.json(text)
    }

    func tooLarge() -> Response {
        Self.error(.contentTooLarge, code: "REQUEST_TOO_LARGE", tooLargeMessage)
    }

    /// The 413's message.
    var tooLargeMessage: String { "the body is larger than the limit of \(maxBodyBytes) bytes (--max-body)" }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// MLflow's error shape: `{"error_code": …, "message": …}`.
    static func error(_ status: HTTPResponse.Status, code: String, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: errorBody(code: code, message)))
    }

    static func errorBody(code: String, _ message: String) -> ByteBuffer {
        ByteBuffer(string: #"{"error_code":"\#(code)","message":\#(JSONText.quoted(message))}"#)
    }
}
