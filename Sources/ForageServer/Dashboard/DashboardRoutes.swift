import ForageStore
import Foundation
import Hummingbird

/// The dashboard's routes: `/` (experiments), `/experiments/{name}` (one experiment; `?fragment=1` for the body
/// alone), `/api/experiments`, `/api/experiments/{name}/summary` (JSON the pages poll) and `/health`.
enum DashboardRoutes {
    static func add(to router: Router<BasicRequestContext>, pages: DashboardPages) {
        router.get("/") { request, _ in
            html(try await pages.index(fragment: wantsFragment(request)))
        }
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/api/experiments") { _, _ in
            json(try await pages.indexJSON())
        }
        router.get("/experiments/:name") { request, context in
            let name = try experimentName(context)
            return try await answering(name) { html(try await pages.experiment(name, fragment: wantsFragment(request))) }
        }
        router.get("/api/experiments/:name/summary") { _, context in
            let name = try experimentName(context)
            return try await answering(name) { json(try await pages.summaryJSON(name)) }
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

    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ data: Data) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
