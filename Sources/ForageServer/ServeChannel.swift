import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// The prediction service's HTTP/1.1 connections: Hummingbird's `HTTP1Channel`, with two additions.
///
/// - `POST /invocations` with a `Content-Length` body is answered in the channel pipeline on the connection's event
///   loop (`InvocationsFastLane`), without going through Hummingbird's async request/response bridge, router and
///   middleware: that bridge (two thread hops and a few allocations per request) was most of the CPU time of a
///   single-row prediction. Everything else (other endpoints, chunked or oversized bodies, requests pipelined
///   behind them) goes to Hummingbird as before, in order.
/// - A request must arrive whole (head and body) within `requestTimeout` of its first byte, or the client gets
///   408 and the connection is closed: a client sending its headers or body very slowly holds a connection for
///   that long at most.
struct ServeChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http: HTTP1Channel
    let requestTimeout: Duration
    let fastLane: InvocationsFastLane.Configuration
    /// Called (on the event loop) when a connection is closed for a slow request.
    let onTimeout: @Sendable () -> Void

    static func builder(
        idleTimeout: Duration, requestTimeout: Duration, fastLane: InvocationsFastLane.Configuration, onTimeout: @escaping @Sendable () -> Void
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ServeChannel(
                http: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
                requestTimeout: requestTimeout, fastLane: fastLane, onTimeout: onTimeout)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Raw bytes start the clock (first in the pipeline, before the HTTP decoder, so slow headers count too);
        // the decoded end of a request, seen by the fast lane, stops it.
        let watch = RequestDeadlineHandler(timeout: requestTimeout, onTimeout: onTimeout)
        let pipeline = channel.pipeline.syncOperations
        do {
            try pipeline.addHandler(watch, position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let value = http.setup(channel: channel, logger: logger)
        // The fast lane goes after Hummingbird's connection-state handler (so idle timeouts and graceful shutdown
        // see its requests) and before the async channel that feeds Hummingbird's handlers.
        do {
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(InvocationsFastLane(fastLane, watch: watch), position: .after(state))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return value
    }

    func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Watches one connection's requests from their first byte: a request that has not fully arrived (its decoded
/// end seen by `InvocationsFastLane`) within the timeout gets a 408 and the connection is closed. One timer per
/// connection at most, re-armed only when it fires, so a busy keep-alive connection costs two stores per request.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let timeoutText: String
    private let onTimeout: @Sendable () -> Void
    /// When the request being received started (nil between requests).
    private var startedAt: NIODeadline?
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var expired = false

    init(timeout: Duration, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = TimeAmount(timeout)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        timeoutText = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if expired { return }
        if startedAt == nil {
            let now = NIODeadline.now()
            startedAt = now
            if timer == nil { arm(at: now + timeout) }
        }
        context.fireChannelRead(data)
    }

    /// The request being received is complete.
    func requestEnded() {
        startedAt = nil
    }

    private func arm(at deadline: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [self] in fire() }
    }

    private func fire() {
        timer = nil
        guard let startedAt, let context else { return }
        let deadline = startedAt + timeout
        if NIODeadline.now() < deadline {
            arm(at: deadline)
            return
        }
        expired = true
        onTimeout()
        let body = #"{"error_code":"REQUEST_TIMEOUT","message":"the request did not arrive within \#(timeoutText) (slow client)"}"#
        var buffer = context.channel.allocator.buffer(capacity: 160 + body.utf8.count)
        buffer.writeString(
            "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n")
        buffer.writeString(body)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(buffer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
