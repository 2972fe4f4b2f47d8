import ForageML
import ForageRegistry
import Foundation
import Hummingbird

/// A request body that did not arrive in time.
struct BodyTimeout: Error {}

/// The prediction service's endpoints (DESIGN §7): `POST /invocations`, `GET /ping`, `/health`, `/version`,
/// `/metrics`.
struct PredictionEndpoints: Sendable {
    let served: ServedModel
    let reference: ModelReference
    let metrics: ServerMetrics
    let maxBodyBytes: Int
    let deadlines: BodyDeadlines
    var bodyTimeout: Duration { deadlines.timeout }

    func add(to router: Router<BasicRequestContext>) {
        router.post("invocations") { request, _ in await invocations(request) }
        router.get("ping") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("health") { _, _ in
            let snapshot = served.snapshot
            return Self.json(#"{"status":"ok","model":\#(PredictionJSON.string(snapshot.version.model)),"version":\#(snapshot.version.version)}"#)
        }
        router.get("version") { _, _ in version() }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    func invocations(_ request: Request) async -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes { return tooLarge() }
        let body: ByteBuffer
        do {
            body = try await collectBody(request)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return tooLarge()
        } catch is BodyTimeout {
            return Self.error(.requestTimeout, code: "REQUEST_TIMEOUT", "the body did not arrive within \(bodyTimeout) (slow client)")
        } catch {
            return Self.error(.badRequest, code: "BAD_REQUEST", "cannot read the body: \(error)")
        }
        let snapshot = served.snapshot
        let predictions: Predictions
        do {
            let document = try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
            let batch = try InvocationDecoder.decode(document, columns: snapshot.model.inputColumns)
            switch batch {
            case .rows(let rows): predictions = try snapshot.model.predict(rows: rows)
            case .records(let records): predictions = try snapshot.model.predict(records: records)
            }
        } catch let error as JSONParseError {
            return Self.error(.badRequest, code: "MALFORMED_REQUEST", error.description)
        } catch let error as BadRequest {
            return Self.error(.badRequest, code: "BAD_REQUEST", error.message)
        } catch let error as PredictionError {
            return Self.error(.badRequest, code: "BAD_REQUEST", error.description)
        } catch {
            return Self.error(.internalServerError, code: "INTERNAL_ERROR", "\(error)")
        }
        metrics.predicted(rows: predictions.count)
        let proba = request.uri.queryParameters.get("proba").map { $0 == "true" || $0 == "1" } ?? false
        var headers: HTTPFields = [.contentType: "application/json"]
        if let name = Self.versionHeader { headers[name] = String(snapshot.version.version) }
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: PredictionJSON.encode(predictions, probabilities: proba))))
    }

    /// The body, up to the size limit, or `BodyTimeout` when a stalled client does not send it in time.
    func collectBody(_ request: Request) async throws -> ByteBuffer {
        let limit = maxBodyBytes
        let body = try await deadlines.run {
            var request = request
            return try await request.collectBody(upTo: limit)
        }
        guard let body else { throw BodyTimeout() }
        return body
    }

    /// Every prediction says which model version answered it.
    static let versionHeader = HTTPFields.Element.Name("X-Forage-Model-Version")

    func version() -> Response {
        let snapshot = served.snapshot
        let version = snapshot.version
        var alias = "null"
        if case .alias(let name) = reference.selector { alias = PredictionJSON.string(name) }
        let lineage = version.lineage
        let text = """
            {"model":\(PredictionJSON.string(version.model)),"version":\(version.version),"alias":\(alias),\
            "reference":\(PredictionJSON.string(reference.description)),"blob_sha256":"\(version.blobSHA256)",\
            "experiment":\(lineage.experiment.map(PredictionJSON.string) ?? "null"),"trial":\(lineage.trial.map(String.init) ?? "null"),\
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
        json(#"{"error_code":"\#(code)","message":\#(PredictionJSON.string(message))}"#, status: status)
    }
}
