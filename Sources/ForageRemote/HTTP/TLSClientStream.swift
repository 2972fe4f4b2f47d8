import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A TLS connection for the worker's blocking HTTP client (`https://` coordinators): swift-nio-ssl on a NIO channel,
/// with blocking `send` and `receive` for callers on Dispatch threads (never on Swift's cooperative pool). The
/// server's certificate is verified against the system's roots, or only against `--ca-file` when given, and its
/// name (or IP address) must match the one connected to.
final class TLSClientStream: @unchecked Sendable {
    private let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Connects and completes the handshake, or throws why not in Forage's words.
    static func connect(host: String, port: Int, caFile: String?, timeout: Double) throws(HTTPTransportError) -> TLSClientStream {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw HTTPTransportError("--ca-file \(caFile): cannot read a PEM certificate from it")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw HTTPTransportError("cannot set up TLS: \(error)")
        }
        let isAddress = host.contains(":") || host.split(separator: ".").allSatisfy { UInt8($0) != nil }
        let inbox = Inbox()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host))
                    try channel.pipeline.syncOperations.addHandler(Collector(inbox: inbox))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            throw HTTPTransportError("cannot connect to \(host):\(port): \(error)")
        }
        return TLSClientStream(channel: channel, inbox: inbox)
    }

    func send(_ bytes: [UInt8]) throws(HTTPTransportError) {
        do {
            try channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).wait()
        } catch {
            throw HTTPTransportError(inbox.failure.map { "TLS with the coordinator failed: \($0)" } ?? "send: \(error)")
        }
    }

    /// Blocks until bytes arrive (appended to `buffer`), the peer closes, or `timeout` passes.
    func receive(into buffer: inout [UInt8], timeout: Double) throws(HTTPTransportError) {
        switch inbox.take(timeout: timeout) {
        case .bytes(let bytes): buffer.append(contentsOf: bytes)
        case .closed(let failure):
            throw HTTPTransportError(failure.map { "TLS with the coordinator failed: \($0)" } ?? "the coordinator closed the connection")
        case .timedOut: throw HTTPTransportError("no answer within \(Int(timeout)) s")
        }
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Bytes received and not yet read, and how the connection ended.
    final class Inbox: @unchecked Sendable {
        private let condition = NSCondition()
        private var pending: [UInt8] = []
        private var ended = false
        private(set) var failure: String?

        enum Taken { case bytes([UInt8]), closed(String?), timedOut }

        func put(_ bytes: [UInt8]) {
            condition.lock()
            pending.append(contentsOf: bytes)
            condition.broadcast()
            condition.unlock()
        }

        func end(_ failure: String?) {
            condition.lock()
            if self.failure == nil { self.failure = failure }
            ended = true
            condition.broadcast()
            condition.unlock()
        }

        func take(timeout: Double) -> Taken {
            condition.lock()
            defer { condition.unlock() }
            let deadline = Date().addingTimeInterval(timeout)
            while pending.isEmpty && !ended {
                if !condition.wait(until: deadline) { return pending.isEmpty ? .timedOut : .bytes(drain()) }
            }
            if !pending.isEmpty { return .bytes(drain()) }
            return .closed(failure)
        }

        private func drain() -> [UInt8] {
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }

    /// Hands decrypted bytes to the inbox.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox

        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { inbox.put(bytes) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.end(nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            inbox.end("\(error)")
            context.close(promise: nil)
        }
    }
}
