import ForageCore
import ForageEngine
import ForageRemote
import Foundation
import Hummingbird

/// The coordinator's API (`CoordinatorAPI`, version 1) over a running `SearchEngine`: every call is one engine call,
/// and every answer is sent only after what it reports is committed.
struct CoordinatorEndpoints: Sendable {
    let engine: SearchEngine
    let spec: CoordinatorAPI.SpecDocument
    /// The largest request body accepted (reports and finishes are small).
    static let maxBody = 4 << 20

    func add(to router: Router<BasicRequestContext>) {
        let v1 = router.group(RouterPath(CoordinatorAPI.prefix))
        v1.post("leases") { request, _ in await lease(request) }
        v1.post("leases/:lease/renew") { _, context in await renew(context.parameters.get("lease") ?? "") }
        v1.post("leases/:lease/reports") { request, context in await report(request, lease: context.parameters.get("lease") ?? "") }
        v1.post("leases/:lease/finish") { request, context in await finish(request, lease: context.parameters.get("lease") ?? "") }
        v1.post("finish") { request, _ in await finishAll(request) }
        v1.put("leases/:lease/artifacts/:name") { request, context in
            await artifact(request, lease: context.parameters.get("lease") ?? "", name: context.parameters.get("name") ?? "")
        }
        v1.get("spec") { _, _ in Self.encode(spec) }
        v1.get("status") { _, _ in
            let status = await engine.remoteStatus()
            return Self.encode(
                CoordinatorAPI.StatusResponse(
                    experiment: spec.experiment, done: status.done, total: status.total, running: status.running, leases: status.leases,
                    over: status.over))
        }
    }

    func lease(_ request: Request) async -> Response {
        await answering(request, as: CoordinatorAPI.LeaseRequest.self) { body in
            Self.encode(try await leases(for: body))
        }
    }

    /// Grants what a worker asks for, in the API's terms.
    private func leases(for request: CoordinatorAPI.LeaseRequest) async throws -> CoordinatorAPI.LeaseResponse {
        guard !request.worker.isEmpty, request.worker.count <= 200 else { throw RemoteCallError.invalid("worker must be a name of 1 to 200 characters") }
        switch try await engine.lease(worker: request.worker, max: min(max(request.max, 1), 64)) {
        case .granted(let grants):
            let leases = grants.map { grant in
                CoordinatorAPI.Grant(
                    lease: grant.lease, experiment: spec.experiment, specSHA256: spec.specSHA256, trial: grant.trial, attempt: grant.attempt,
                    params: grant.params, leaseTimeout: grant.leaseTimeout, judgesReports: grant.judgesReports)
            }
            return CoordinatorAPI.LeaseResponse(status: .granted, leases: leases)
        case .wait(let seconds):
            return CoordinatorAPI.LeaseResponse(status: .wait, retryAfter: seconds)
        case .finished(let message):
            await engine.told(request.worker)
            return CoordinatorAPI.LeaseResponse(status: .finished, message: message)
        }
    }

    func renew(_ lease: String) async -> Response {
        do {
            try await engine.renew(lease: lease)
            return Self.encode(CoordinatorAPI.ActionResponse(action: .continue))
        } catch {
            return Self.failure(error)
        }
    }

    func report(_ request: Request, lease: String) async -> Response {
        await answering(request, as: CoordinatorAPI.Report.self) { body in
            let action = try await engine.report(lease: lease, step: body.step, values: body.values)
            return Self.encode(CoordinatorAPI.ActionResponse(action: action))
        }
    }

    func finish(_ request: Request, lease: String) async -> Response {
        await answering(request, as: CoordinatorAPI.FinishRequest.self) { body in
            guard let outcome = body.outcome else {
                throw RemoteCallError.invalid("state must be completed, pruned or failed, found \(body.state.rawValue)")
            }
            let reports = body.reports.map { MetricReport(step: $0.step, values: $0.values) }
            let receipt = try await engine.finish(lease: lease, reports: reports, outcome: outcome)
            var next: CoordinatorAPI.LeaseResponse?
            if let request = body.next { next = try await leases(for: request) }
            return Self.encode(CoordinatorAPI.FinishResponse(recorded: true, duplicate: receipt == .duplicate, next: next))
        }
    }

    func finishAll(_ request: Request) async -> Response {
        await answering(request, as: CoordinatorAPI.BatchFinishRequest.self) { body in
            var items: [(lease: String, reports: [MetricReport], outcome: TrialOutcome)] = []
            var answers: [CoordinatorAPI.BatchFinishResponse.Item?] = []
            for item in body.results {
                if let outcome = item.result.outcome {
                    items.append((item.lease, item.result.reports.map { MetricReport(step: $0.step, values: $0.values) }, outcome))
                    answers.append(nil)
                } else {
                    answers.append(.init(lease: item.lease, status: .refused, error: "state must be completed, pruned or failed"))
                }
            }
            var results = try await engine.finishAll(items).makeIterator()
            let answered = answers.enumerated().map { index, answer -> CoordinatorAPI.BatchFinishResponse.Item in
                if let answer { return answer }
                let lease = body.results[index].lease
                switch results.next() {
                case .success(.recorded): return .init(lease: lease, status: .recorded)
                case .success(.duplicate): return .init(lease: lease, status: .duplicate)
                case .failure(let error): return .init(lease: lease, status: .refused, error: "\(error)")
                case nil: return .init(lease: lease, status: .refused, error: "not answered")
                }
            }
            var next: CoordinatorAPI.LeaseResponse?
            if let request = body.next { next = try await leases(for: request) }
            return Self.encode(CoordinatorAPI.BatchFinishResponse(results: answered, next: next))
        }
    }

    /// Stores an uploaded model file in the attempt's trial folder (written to a temporary name, then renamed).
    func artifact(_ request: Request, lease: String, name: String) async -> Response {
        guard CoordinatorAPI.isArtifactName(name) else {
            return Self.error(.badRequest, "artifact name '\(name)' is not allowed: only a file named model… (letters, digits, '.', '_', '-')")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxArtifact { return Self.artifactTooLarge() }
        do {
            let folder = try await engine.artifactDirectory(lease: lease)
            var request = request
            let body = try await request.collectBody(upTo: Self.maxArtifact)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                return Self.error(.internalServerError, "cannot store the artifact: cannot create the trial folder \(folder.path)")
            }
            // Written whole to a temporary name, then renamed: a reader never sees half a model file.
            let path = folder.appendingPathComponent(name).path
            try body.withUnsafeReadableBytes { bytes in try OutputFile.write(bytes, to: path) }
            return Response(status: .noContent)
        } catch let refused as RemoteCallError {
            return Self.failure(refused)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return Self.artifactTooLarge()
        } catch let error as OutputFileError {
            return Self.error(.internalServerError, "cannot store the artifact \(name): \(error.reason)")
        } catch {
            return Self.error(.internalServerError, "cannot store the artifact \(name): its body could not be read to its end")
        }
    }

    static func artifactTooLarge() -> Response {
        error(.contentTooLarge, "an artifact may be at most \(maxArtifact >> 20) MB")
    }

    /// The largest artifact (model file) a worker may upload.
    static let maxArtifact = 1 << 30

    /// Decodes the body as `Body`, runs `handle`, and turns every failure into its status and message.
    private func answering<Body: Decodable>(
        _ request: Request, as type: Body.Type, _ handle: (Body) async throws -> Response
    ) async -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBody { return Self.tooLarge() }
        let body: Body
        do {
            var request = request
            let buffer = try await request.collectBody(upTo: Self.maxBody)
            body = try WireJSON.decoder().decode(Body.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            return Self.error(.badRequest, "the body is not a valid \(type) request: \(Self.describe(error))")
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return Self.tooLarge()
        } catch {
            return Self.error(.badRequest, "the body could not be read to its end")
        }
        do {
            return try await handle(body)
        } catch {
            return Self.failure(error)
        }
    }

    /// The 413 for an API body over `maxBody`.
    static func tooLarge() -> Response {
        error(.contentTooLarge, "the body is larger than the limit of \(maxBody >> 20) MB for API calls")
    }

    static func failure(_ error: any Error) -> Response {
        switch error {
        case let refused as RemoteCallError:
            switch refused {
            case .leaseNotHeld: return Self.error(.conflict, refused.description)
            case .invalid: return Self.error(.badRequest, refused.description)
            }
        default:
            return Self.error(.internalServerError, "\(error)")
        }
    }

    static func encode(_ value: some Encodable) -> Response {
        do {
            let data = try WireJSON.encoder().encode(value)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Self.error(.internalServerError, "cannot encode the answer: \(error)")
        }
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: errorText(message))))
    }

    /// `CoordinatorAPI.ErrorResponse` as JSON text.
    static func errorText(_ message: String) -> String {
        #"{"error":\#(JSONText.quoted(message))}"#
    }

    /// What is wrong with a body, in Forage's words (Foundation's debug descriptions name its internals).
    private static func describe(_ error: DecodingError) -> String {
        func place(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the body" : "field '\(path.replacingOccurrences(of: ".[", with: "["))'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(place(context))"
            return "missing field '\(key.stringValue)'\(parent)"
        case .typeMismatch(let type, let context): return "\(place(context)) is not \(Self.kind(type))"
        case .valueNotFound(let type, let context): return "\(place(context)) is null, expected \(Self.kind(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(place(context)) has a value that is not allowed"
        @unknown default: return "the body does not match the request"
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "the expected kind of value"
        }
    }
}
