import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Forage's HTTP/1.1 connections (prediction service, coordinator): Hummingbird's `HTTP1Channel`, with two
/// additions.
///
/// - A request must arrive whole (head and body) within its deadline (`RequestDeadline`), counted from its first
///   byte, or the client gets 408 and the connection is closed: a client sending its headers or body very slowly
///   holds a connection for that long at most.
/// - For the prediction service, `POST /invocations` with a `Content-Length` body is answered in the channel
///   pipeline on the connection's event loop (`InvocationsFastLane`), without going through Hummingbird's async
///   request/response bridge, router and middleware: that bridge (two thread hops and a few allocations per request)
///   was most of the CPU time of a single-row prediction. Everything else (other endpoints, chunked bodies, requests
///   pipelined behind them) goes to Hummingbird as before, in order.
struct ServeChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http: HTTP1Channel
    let deadline: RequestDeadline
    let fastLane: InvocationsFastLane.Configuration?
    /// Called (on the event loop) when a connection is closed for a slow request.
    let onTimeout: @Sendable () -> Void

    static func builder(
        idleTimeout: Duration?, deadline: RequestDeadline, fastLane: InvocationsFastLane.Configuration?,
        onTimeout: @escaping @Sendable () -> Void
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ServeChannel(
                http: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout.map { TimeAmount($0) })),
                deadline: deadline, fastLane: fastLane, onTimeout: onTimeout)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Raw bytes start the clock (first in the pipeline, before the HTTP decoder, so slow headers count too);
        // the decoded end of a request, seen by the fast lane or the end handler, stops it.
        let watch = RequestDeadlineHandler(deadline, onTimeout: onTimeout)
        let pipeline = channel.pipeline.syncOperations
        do {
            try pipeline.addHandler(watch, position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let value = http.setup(channel: channel, logger: logger)
        // After Hummingbird's connection-state handler (so idle timeouts and graceful shutdown see the fast lane's
        // requests) and before the async channel that feeds Hummingbird's handlers.
        do {
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            if let fastLane {
                try pipeline.addHandler(InvocationsFastLane(fastLane, watch: watch), position: .after(state))
            } else {
                try pipeline.addHandler(RequestEndHandler(watch: watch), position: .after(state))
            }
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
