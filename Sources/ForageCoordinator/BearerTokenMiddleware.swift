import Hummingbird

/// Refuses every request without `Authorization: Bearer <token>` (401), comparing tokens in constant time so the
/// answer's timing says nothing about how much of a guess was right.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), token)
        else {
            var response = CoordinatorEndpoints.error(.unauthorized, "missing or wrong bearer token (send Authorization: Bearer <the token file's contents>)")
            response.headers[.wwwAuthenticate] = #"Bearer realm="forage""#
            return response
        }
        return try await next(request, context)
    }

    /// True when both byte strings are equal; the time taken depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
