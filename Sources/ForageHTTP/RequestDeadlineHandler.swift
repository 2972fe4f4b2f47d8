import NIOCore
import NIOHTTPTypes

/// How long a request may take to arrive, and what a client that is too slow is told.
package struct RequestDeadline: Sendable {
    /// From a request's first byte to its decoded end.
    package var timeout: Duration
    /// When set, every byte received adds `1 / minimumRate` seconds to the deadline, so a large upload arriving at
    /// least this fast (bytes per second) is never cut while a stalled or trickling one still is.
    package var minimumRate: Int?
    /// The 408's JSON body, given the message.
    package var body: @Sendable (String) -> String

    package init(timeout: Duration, minimumRate: Int?, body: @escaping @Sendable (String) -> String) {
        self.timeout = timeout
        self.minimumRate = minimumRate
        self.body = body
    }
}

/// Watches one connection's requests from their first byte: a request that has not fully arrived (its decoded
/// end reported by `requestEnded()`) within the deadline gets a 408 and the connection is closed; when a response
/// was already written while the request arrived (a 401, a 413), the connection is only closed. One timer per
/// connection at most, re-armed only when it fires, so a busy keep-alive connection costs a few stores per request.
package final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let timeoutText: String
    private let minimumRate: Int?
    private let body: @Sendable (String) -> String
    private let onTimeout: @Sendable () -> Void
    /// When the request being received started (nil between requests).
    private var startedAt: NIODeadline?
    /// Bytes received since then (counted only with a minimum rate).
    private var received = 0
    /// Something was written back since then.
    private var answered = false
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var expired = false

    package init(_ deadline: RequestDeadline, onTimeout: @escaping @Sendable () -> Void) {
        timeout = TimeAmount(deadline.timeout)
        let seconds = Double(deadline.timeout.components.seconds) + Double(deadline.timeout.components.attoseconds) / 1e18
        timeoutText = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        minimumRate = deadline.minimumRate.flatMap { $0 > 0 ? $0 : nil }
        body = deadline.body
        self.onTimeout = onTimeout
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    package func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if expired { return }
        if startedAt == nil {
            let now = NIODeadline.now()
            startedAt = now
            received = 0
            answered = false
            if timer == nil { arm(at: now + timeout) }
        }
        if minimumRate != nil { received += unwrapInboundIn(data).readableBytes }
        context.fireChannelRead(data)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if startedAt != nil { answered = true }
        context.write(data, promise: promise)
    }

    /// The request being received is complete.
    package func requestEnded() {
        startedAt = nil
    }

    private var deadline: NIODeadline? {
        guard let startedAt else { return nil }
        guard let minimumRate else { return startedAt + timeout }
        return startedAt + timeout + .nanoseconds(Int64(Double(received) / Double(minimumRate) * 1e9))
    }

    private func arm(at deadline: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [self] in fire() }
    }

    private func fire() {
        timer = nil
        guard let deadline, let context else { return }
        if NIODeadline.now() < deadline {
            arm(at: deadline)
            return
        }
        expired = true
        onTimeout()
        if answered {
            // The client has its answer already (say a 413 while its body kept coming): stop listening.
            context.close(promise: nil)
            return
        }
        let text = body("the request did not arrive within \(timeoutText) (slow client)")
        var buffer = context.channel.allocator.buffer(capacity: 160 + text.utf8.count)
        buffer.writeString(
            "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n")
        buffer.writeString(text)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(buffer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}

/// Tells the deadline handler when a request has fully arrived, on connections without `InvocationsFastLane` (which
/// does it itself, to keep the prediction pipeline one handler shorter).
package final class RequestEndHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart

    private let watch: RequestDeadlineHandler

    package init(watch: RequestDeadlineHandler) {
        self.watch = watch
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { watch.requestEnded() }
        context.fireChannelRead(data)
    }
}
