import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection to 127.0.0.1, for the serving benchmark
/// and end-to-end tests (no proxy, no TLS, no redirects; bodies framed by Content-Length).
public final class LoopbackClient {
    /// A response: status, headers (lowercased names) and body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a request failed at the transport level.
    public struct TransportError: Error, CustomStringConvertible {
        public var description: String
    }

    private let port: Int
    private var socketFD: Int32 = -1
    private var buffer: [UInt8] = []
    private var start = 0

    public init(port: Int) {
        self.port = port
    }

    deinit { close() }

    /// Closes the connection (the next request reconnects).
    public func close() {
        if socketFD >= 0 { Glibc.close(socketFD) }
        socketFD = -1
        buffer.removeAll()
        start = 0
    }

    private func connect() throws(TransportError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TransportError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw TransportError(description: "connect to 127.0.0.1:\(port): \(reason)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        socketFD = fd
    }

    /// The raw bytes of a request.
    public static func request(method: String, path: String, body: Data? = nil, contentType: String = "application/json") -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body.map { Array($0) } ?? [])
    }

    /// Sends a request and reads its response.
    public func send(method: String, path: String, body: Data? = nil) throws(TransportError) -> Response {
        try send(raw: Self.request(method: method, path: path, body: body))
    }

    /// Sends pre-built request bytes and reads the response.
    public func send(raw: [UInt8]) throws(TransportError) -> Response {
        if socketFD < 0 { try connect() }
        try write(raw)
        return try readResponse()
    }

    /// Writes bytes (for tests that send partial requests).
    public func write(_ bytes: [UInt8]) throws(TransportError) {
        if socketFD < 0 { try connect() }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else {
                let reason = String(cString: strerror(errno))
                close()
                throw TransportError(description: "send: \(reason)")
            }
            offset += sent
        }
    }

    private func fill() throws(TransportError) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            close()
            throw TransportError(description: count == 0 ? "connection closed by the server" : "recv: \(String(cString: strerror(errno)))")
        }
        buffer.append(contentsOf: chunk[0..<count])
    }

    /// Reads one response (headers, then a Content-Length body).
    public func readResponse() throws(TransportError) -> Response {
        var headerEnd: Int?
        while headerEnd == nil {
            if let end = Self.find([13, 10, 13, 10], in: buffer, from: start) {
                headerEnd = end
            } else {
                try fill()
            }
        }
        guard let headerEnd else { throw TransportError(description: "no header") }
        let head = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TransportError(description: "bad status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headers["content-length"].flatMap(Int.init) ?? 0
        let bodyStart = headerEnd + 4
        while buffer.count - bodyStart < length { try fill() }
        let body = Data(buffer[bodyStart..<(bodyStart + length)])
        start = bodyStart + length
        if headers["connection"]?.lowercased() == "close" { close() }
        return Response(status: status, headers: headers, body: body)
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard bytes.count - from >= pattern.count else { return nil }
        var i = from
        while i <= bytes.count - pattern.count {
            if bytes[i] == pattern[0] && bytes[i + 1] == pattern[1] && bytes[i + 2] == pattern[2] && bytes[i + 3] == pattern[3] { return i }
            i += 1
        }
        return nil
    }
}
