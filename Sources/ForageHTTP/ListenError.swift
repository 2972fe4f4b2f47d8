import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why a server (`serve`, `dashboard`, `run --listen`) could not listen on its address, in Forage's words rather
/// than NIO's (`bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`).
public struct ListenError: Error, Equatable, CustomStringConvertible {
    /// `HOST:PORT` as asked for.
    public var address: String
    /// Why not, with a hint at the usual cause.
    public var reason: String

    public var description: String { "cannot listen on \(address): \(reason)" }

    /// The error to report for `error`, thrown before the server was listening on `host`:`port`. `busyHint` says
    /// what usually holds a busy port (`is another forage serve running?`). Errors that are not about the address
    /// are returned as they are.
    public static func explaining(_ error: any Error, host: String, port: Int, busyHint: String) -> any Error {
        let address = Self.address(host: host, port: port)
        if let io = error as? IOError {
            return ListenError(address: address, reason: reason(errno: io.errnoCode, host: host, busyHint: busyHint))
        }
        if error is SocketAddressError.UnknownHost {
            return ListenError(address: address, reason: "the host name \(host) cannot be resolved")
        }
        if error is SocketAddressError {
            return ListenError(address: address, reason: "\(host) is not an address this machine can listen on")
        }
        return error
    }
}

/// Set once a server listens, so that an error can be told apart: before, it is about the address.
package final class ListeningFlag: Sendable {
    private let state = Mutex(false)

    package init() {}

    package var isListening: Bool { state.withLock { $0 } }

    package func set() { state.withLock { $0 = true } }
}

extension ListenError {
    /// Checks that `host`:`port` can be listened on now, before anything else is set up (a run must not create its
    /// experiment and then fail on a busy port). Binds a socket with the options the servers use, then closes it; a
    /// port taken in between still fails at the server's own bind. Port 0 always passes.
    public static func probe(host: String, port: Int, busyHint: String) throws {
        guard port != 0 else { return }
        let address = Self.address(host: host, port: port)
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let info = found else {
            throw ListenError(address: address, reason: "the host name \(host) cannot be resolved")
        }
        defer { freeaddrinfo(info) }
        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw ListenError(address: address, reason: reason(errno: errno, host: host, busyHint: busyHint))
        }
    }

    /// `HOST:PORT`, with an IPv6 host in brackets.
    static func address(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Why a bind failed with `code`, in Forage's words.
    static func reason(errno code: Int32, host: String, busyHint: String) -> String {
        switch code {
        case EADDRINUSE: return "the address is already in use (\(busyHint))"
        case EADDRNOTAVAIL: return "\(host) is not an address of this machine"
        case EACCES, EPERM: return "permission denied (ports below 1024 need privileges; pick a higher port)"
        default: return String(cString: strerror(code))
        }
    }
}
