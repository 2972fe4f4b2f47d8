import ForageStore
import Foundation
import Hummingbird

/// The dashboard's routes: `/` (experiments), `/experiments/{name}` (one experiment; `?fragment=1` for the body
/// alone), the tiny JSON the pages poll (`/api/experiments/version`, `/api/experiments/{name}/version`), fuller JSON
/// (`/api/experiments`, `/api/experiments/{name}/summary`) and `/health`. Page bodies (`?fragment=1`) carry an ETag
/// (the version of the data they show) and answer 304 to a request that already has it.
enum DashboardRoutes {
    static func add(to router: Router<BasicRequestContext>, pages: DashboardPages) {
        router.get("/") { request, _ in
            let (text, version) = try await pages.index(fragment: wantsFragment(request))
            return html(text, version: version, for: request)
        }
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/api/experiments") { _, _ in
            json(try await pages.indexJSON())
        }
        router.get("/api/experiments/version") { _, _ in
            json(try await pages.indexVersionJSON())
        }
        router.get("/experiments/:name") { request, context in
            let name = try experimentName(context)
            return try await answering(name) {
                let (text, version) = try await pages.experiment(name, fragment: wantsFragment(request))
                return html(text, version: version, for: request)
            }
        }
        router.get("/api/experiments/:name/summary") { _, context in
            let name = try experimentName(context)
            return try await answering(name) { json(try await pages.summaryJSON(name)) }
        }
        router.get("/api/experiments/:name/version") { _, context in
            let name = try experimentName(context)
            return try await answering(name) { json(try await pages.versionJSON(name)) }
        }
    }

    static func experimentName(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("name")
        return raw.removingPercentEncoding ?? raw
    }

    static func wantsFragment(_ request: Request) -> Bool {
        request.uri.queryParameters.get("fragment") == "1"
    }

    /// Runs `body`, answering 404 when the experiment does not exist.
    static func answering(_ name: String, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch StoreError.noExperiment {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "no experiment named '\(name)'\n")))
        }
    }

    /// An HTML page tagged with the version of what it shows; 304 when the request already has that version.
    static func html(_ text: String, version: String, for request: Request) -> Response {
        let tag = "\"" + version.replacingOccurrences(of: "\"", with: "") + "\""
        let fullPage = !wantsFragment(request)
        // A full page also carries the time it was generated; only a fragment is the same bytes for the same version.
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"]
        if !fullPage {
            headers[.eTag] = tag
            if request.headers[.ifNoneMatch] == tag { return Response(status: .notModified, headers: headers) }
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ data: Data) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
