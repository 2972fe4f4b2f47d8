import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Answers `POST /invocations` inside the connection's channel pipeline, on its event loop: the head and body are
/// gathered as they are decoded, `PredictionEndpoints.answer` runs, and the response is written straight back, with
/// the same headers, metrics and access-log line as the routed endpoints. A request goes on to Hummingbird instead
/// when it is anything else, has no `Content-Length` (chunked) or a larger one than the limit, or when an earlier
/// request on the connection is still being answered there (so pipelined responses keep their order).
final class InvocationsFastLane: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Configuration: Sendable {
        let endpoints: PredictionEndpoints
        let logger: Logger
        let accessLog: Bool
        let serverName: String
    }

    private struct Pending {
        var head: HTTPRequest
        var body: ByteBuffer
        var start: ContinuousClock.Instant
        var bytesIn: Int
    }

    private let configuration: Configuration
    /// Told when a request has fully arrived (whichever path answers it).
    private let watch: RequestDeadlineHandler
    /// The request being gathered here.
    private var pending: Pending?
    /// Requests passed on to Hummingbird whose response has not ended yet.
    private var passedOn = 0

    init(_ configuration: Configuration, watch: RequestDeadlineHandler) {
        self.configuration = configuration
        self.watch = watch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if passedOn == 0, head.method == .post, let path = head.path, Self.isInvocations(path),
                let length = head.headerFields[.contentLength].flatMap(Int.init), length <= configuration.endpoints.maxBodyBytes
            {
                pending = Pending(head: head, body: ByteBuffer(), start: .now, bytesIn: length)
            } else {
                passedOn += 1
                context.fireChannelRead(data)
            }
        case .body(let chunk):
            guard pending != nil else { return context.fireChannelRead(data) }
            if pending?.body.readableBytes == 0 {
                pending?.body = chunk
            } else {
                pending?.body.writeImmutableBuffer(chunk)
            }
        case .end:
            watch.requestEnded()
            guard let request = pending else { return context.fireChannelRead(data) }
            pending = nil
            respond(to: request, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn = max(0, passedOn - 1) }
        context.write(data, promise: promise)
    }

    static func isInvocations(_ path: String) -> Bool {
        path == "/invocations" || path.hasPrefix("/invocations?")
    }

    private func respond(to request: Pending, context: ChannelHandlerContext) {
        let endpoints = configuration.endpoints
        var proba = false
        if let path = request.head.path, let mark = path.firstIndex(of: "?") {
            proba = PredictionEndpoints.wantsProbabilities(path[path.index(after: mark)...])
        }
        let answer = endpoints.answer(request.body, proba: proba)
        var fields = HTTPFields()
        fields.reserveCapacity(6)
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(answer.body.readableBytes)
        if let version = answer.version, let name = PredictionEndpoints.versionHeader { fields[name] = version }
        fields[.date] = HTTPDate.now
        fields[.server] = configuration.serverName
        let close = request.head.headerFields[.connection]?.lowercased() == "close"
        if close { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        if close {
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        let elapsed = ContinuousClock.now - request.start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        endpoints.metrics.request(endpoint: .invocations, status: answer.status.code, nanoseconds: nanoseconds)
        if configuration.accessLog, configuration.logger.logLevel <= .info {
            configuration.logger.info(
                "access",
                metadata: [
                    "method": "POST", "path": "/invocations", "status": "\(answer.status.code)",
                    "duration_ms": "\(Double(nanoseconds) / 1e6)", "bytes_in": "\(request.bytesIn)",
                ])
        }
    }
}

/// The `Date` header's value, formatted at most once a second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

    static var now: String {
        let second = time(nil)
        return cache.withLock { cached in
            if cached.second != second {
                var parts = tm()
                var now = second
                gmtime_r(&now, &parts)
                var buffer = [CChar](repeating: 0, count: 64)
                let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
                cached = (second, String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return cached.text
        }
    }
}
