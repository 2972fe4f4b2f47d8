import ForageHTTP
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
/// when it is anything else, has no `Content-Length` (chunked), or when an earlier request on the connection is
/// still being answered there (so pipelined responses keep their order).
///
/// A `Content-Length` over the limit is answered 413 at once, with `Connection: close`; the body that follows is
/// read and discarded until it ends (or the request deadline passes), and only then is the connection closed. A
/// client that sends its whole body before reading (most do) thus reads the 413 instead of a reset connection.
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
    /// A body over the limit is being read and thrown away; the connection closes at its end, once the 413 (whose
    /// write this is) has gone out.
    private var discarding: EventLoopFuture<Void>?
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
                let length = head.headerFields[.contentLength].flatMap(Int.init)
            {
                guard length <= configuration.endpoints.maxBodyBytes else { return refuseTooLarge(length: length, context: context) }
                pending = Pending(head: head, body: ByteBuffer(), start: .now, bytesIn: length)
            } else if discarding != nil {
                return
            } else {
                passedOn += 1
                context.fireChannelRead(data)
            }
        case .body(let chunk):
            if discarding != nil { return }
            guard pending != nil else { return context.fireChannelRead(data) }
            if pending?.body.readableBytes == 0 {
                pending?.body = chunk
            } else {
                pending?.body.writeImmutableBuffer(chunk)
            }
        case .end:
            watch.requestEnded()
            if let written = discarding {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
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

    /// The 413 for a declared length over the limit, sent before the body arrives; the body is then discarded.
    private func refuseTooLarge(length: Int, context: ChannelHandlerContext) {
        let start = ContinuousClock.now
        let body = PredictionEndpoints.errorBody(code: "REQUEST_TOO_LARGE", configuration.endpoints.tooLargeMessage)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.date] = HTTPDate.now
        fields[.server] = configuration.serverName
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .contentTooLarge, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        discarding = written.futureResult
        record(status: .contentTooLarge, start: start, bytesIn: length)
    }

    private func respond(to request: Pending, context: ChannelHandlerContext) {
        let endpoints = configuration.endpoints
        var query: Substring?
        if let path = request.head.path, let mark = path.firstIndex(of: "?") { query = path[path.index(after: mark)...] }
        let answer = endpoints.answer(
            request.body, query: query, contentType: request.head.headerFields[.contentType],
            requestID: PredictionEndpoints.Names.requestID.flatMap { request.head.headerFields[$0] })
        var fields = HTTPFields()
        fields.reserveCapacity(6)
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(answer.body.readableBytes)
        answer.addHeaders(to: &fields)
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
        record(status: answer.status, start: request.start, bytesIn: request.bytesIn)
    }

    /// The request's metrics and access-log line.
    private func record(status: HTTPResponse.Status, start: ContinuousClock.Instant, bytesIn: Int) {
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        configuration.endpoints.metrics.request(endpoint: .invocations, status: status.code, nanoseconds: nanoseconds)
        if configuration.accessLog, configuration.logger.logLevel <= .info {
            configuration.logger.info(
                "access",
                metadata: [
                    "method": "POST", "path": "/invocations", "status": "\(status.code)",
                    "duration_ms": "\(Double(nanoseconds) / 1e6)", "bytes_in": "\(bytesIn)",
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
