import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Forage's HTTP/1.1 connections (prediction service, coordinator): Hummingbird's `HTTP1Channel`, with two
/// additions.
///
/// - A request must arrive whole (head and body) within its deadline (`RequestDeadline`), counted from its first
///   byte, or the client gets 408 and the connection is closed: a client sending its headers or body very slowly
///   holds a connection for that long at most.
/// - A server may put its own handler where a request's decoded end is seen (`requestEnd`): the prediction service
///   answers `POST /invocations` there, in the channel pipeline on the connection's event loop
///   (`InvocationsFastLane`), without Hummingbird's async request/response bridge, router and middleware. Without
///   one, a `RequestEndHandler` only stops the request's clock.
package struct ServeChannel: ServerChildChannel {
    package typealias Value = HTTP1Channel.Value
    /// Builds the handler that sees each request's decoded end and tells the deadline watch.
    package typealias RequestEndFactory = @Sendable (RequestDeadlineHandler) -> any ChannelHandler

    let http: HTTP1Channel
    let deadline: RequestDeadline
    let requestEnd: RequestEndFactory?
    /// Called (on the event loop) when a connection is closed for a slow request.
    let onTimeout: @Sendable () -> Void
    /// TLS in front of everything else (the deadline then counts decrypted bytes); nil serves plain HTTP.
    let tls: ServerTLS?

    package static func builder(
        idleTimeout: Duration?, deadline: RequestDeadline, requestEnd: RequestEndFactory?, tls: ServerTLS? = nil,
        onTimeout: @escaping @Sendable () -> Void
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ServeChannel(
                http: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout.map { TimeAmount($0) })),
                deadline: deadline, requestEnd: requestEnd, onTimeout: onTimeout, tls: tls)
        }
    }

    package func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Raw bytes start the clock (first in the pipeline, before the HTTP decoder, so slow headers count too);
        // the decoded end of a request, seen by the fast lane or the end handler, stops it.
        let watch = RequestDeadlineHandler(deadline, onTimeout: onTimeout)
        let pipeline = channel.pipeline.syncOperations
        do {
            try pipeline.addHandler(watch, position: .first)
            if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls.context), position: .first) }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let value = http.setup(channel: channel, logger: logger)
        // After Hummingbird's connection-state handler (so idle timeouts and graceful shutdown see the fast lane's
        // requests) and before the async channel that feeds Hummingbird's handlers.
        do {
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            if let requestEnd {
                try pipeline.addHandler(requestEnd(watch), position: .after(state))
            } else {
                try pipeline.addHandler(RequestEndHandler(watch: watch), position: .after(state))
            }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return value
    }

    package func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

extension TimeAmount {
    package init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
