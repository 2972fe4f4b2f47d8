import ForageCore
import ForageML
import ForageRegistry
import ForageStore
import Foundation
import Hummingbird

/// The prediction service's endpoints (DESIGN §7): `POST /invocations`, `GET /ping`, `/health`, `/version`,
/// `/metrics`.
struct PredictionEndpoints: Sendable {
    let served: ServedModel
    let reference: ModelReference
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    func add(to router: Router<BasicRequestContext>) {
        router.post("invocations") { request, _ in await invocations(request) }
        router.get("ping") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("health") { _, _ in
            let snapshot = served.snapshot
            return Self.json(#"{"status":"ok","model":\#(JSONText.quoted(snapshot.version.model)),"version":\#(snapshot.version.version)}"#)
        }
        router.get("version") { _, _ in version() }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    /// `POST /invocations` when Hummingbird routes it (chunked or oversized bodies, or requests pipelined behind
    /// another one); the usual case is answered by `InvocationsFastLane` with the same `answer(_:proba:)`.
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
            return Self.error(.badRequest, code: "BAD_REQUEST", "cannot read the body: \(error)")
        }
        let proba = request.uri.query.map(Self.wantsProbabilities) ?? false
        let answer = answer(body, proba: proba)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let version = answer.version, let name = Self.versionHeader { headers[name] = version }
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: answer.body))
    }

    /// A prediction request's answer: the status, the JSON body and (for a 200) the model version that answered.
    struct Answer {
        var status: HTTPResponse.Status
        var body: ByteBuffer
        var version: String?
    }

    /// Answers a whole `/invocations` body (synchronous, so the fast lane can call it on the event loop).
    func answer(_ body: ByteBuffer, proba: Bool) -> Answer {
        let snapshot = served.snapshot
        let model = snapshot.model
        let predictions: Predictions
        // The common case (`{"inputs": [[numbers]]}` for a model with numeric inputs) skips the JSON tree.
        let fast = body.withUnsafeReadableBytes { bytes in
            JSONParser.numericInputs(bytes, width: model.inputColumns.count).flatMap { model.predict(numericRows: $0) }
        }
        if let fast {
            predictions = fast
        } else {
            do {
                let document = try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
                let batch = try InvocationDecoder.decode(document, columns: model.inputColumns)
                switch batch {
                case .rows(let rows): predictions = try model.predict(rows: rows)
                case .records(let records): predictions = try model.predict(records: records)
                }
            } catch let error as JSONParseError {
                return Answer(status: .badRequest, body: Self.errorBody(code: "MALFORMED_REQUEST", error.description))
            } catch let error as BadRequest {
                return Answer(status: .badRequest, body: Self.errorBody(code: "BAD_REQUEST", error.message))
            } catch let error as PredictionError {
                return Answer(status: .badRequest, body: Self.errorBody(code: "BAD_REQUEST", error.description))
            } catch {
                return Answer(status: .internalServerError, body: Self.errorBody(code: "INTERNAL_ERROR", "\(error)"))
            }
        }
        metrics.predicted(rows: predictions.count)
        return Answer(
            status: .ok, body: PredictionJSON.encode(predictions, probabilities: proba, labels: snapshot.labelsJSON),
            version: snapshot.versionText)
    }

    /// `proba=true` (or `1`) in a query string.
    static func wantsProbabilities(_ query: some StringProtocol) -> Bool {
        query.split(separator: "&").contains { $0 == "proba=true" || $0 == "proba=1" }
    }

    /// Every prediction says which model version answered it.
    static let versionHeader = HTTPFields.Element.Name("X-Forage-Model-Version")

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
        Self.error(.contentTooLarge, code: "REQUEST_TOO_LARGE", "the body is larger than the limit of \(maxBodyBytes) bytes (--max-body)")
    }

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
