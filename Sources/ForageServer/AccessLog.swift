import Hummingbird
import Logging

/// Structured access logs (swift-log, one line per request: method, path, status, duration, body bytes) and the
/// request metrics, for every endpoint.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: ServerMetrics
    let enabled: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch {
            let code = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, status: code, start: start)
            throw error
        }
        record(request, status: status, start: start)
        return response
    }

    private func record(_ request: Request, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let path = request.uri.path
        metrics.request(endpoint: ServerMetrics.Endpoint(path: path), status: status, nanoseconds: nanoseconds)
        guard enabled, logger.logLevel <= .info else { return }
        logger.info(
            "access",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(status)",
                "duration_ms": "\(Double(nanoseconds) / 1e6)",
                "bytes_in": "\(request.headers[.contentLength] ?? "-")",
            ])
    }
}
