import Hummingbird

/// Answers requests the service has no endpoint for before they are routed, in the service's JSON error shape: a
/// known path with another method gets 405 and an `Allow` header listing the methods it takes (Hummingbird's router
/// alone would answer 404), an unknown path 404 naming the endpoints.
struct EndpointGuard<Context: RequestContext>: RouterMiddleware {
    /// Each path and the methods it answers.
    let endpoints: [String: [HTTPRequest.Method]]
    /// Builds an error response (status, code, message).
    let error: @Sendable (HTTPResponse.Status, String, String) -> Response

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var path = request.uri.path
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard let methods = endpoints[path] else {
            let list = endpoints.keys.sorted().map { "\(Self.methods(endpoints[$0] ?? [])) \($0)" }.joined(separator: ", ")
            return error(.notFound, "NOT_FOUND", "there is no endpoint \(path); this service answers \(list)")
        }
        guard methods.contains(request.method) else {
            var response = error(
                .methodNotAllowed, "METHOD_NOT_ALLOWED", "\(request.method.rawValue) \(path) is not allowed; use \(Self.methods(methods))")
            response.headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
            return response
        }
        return try await next(request, context)
    }

    static func methods(_ methods: [HTTPRequest.Method]) -> String {
        methods.map(\.rawValue).joined(separator: " or ")
    }
}
