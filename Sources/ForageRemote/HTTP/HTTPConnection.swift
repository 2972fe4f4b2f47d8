import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive HTTP/1.1 connection with blocking sockets: what a worker's slot uses to talk to its coordinator,
/// and the client of the serving benchmark and the end-to-end tests (which also send raw and partial requests).
///
/// Plain HTTP, or HTTPS with `tls` (the server verified against the system's roots or a private CA), bodies framed by
/// `Content-Length` or chunked encoding. Reads and writes time out after `timeout` seconds. Not thread-safe: it is
/// `Sendable` only so the worker's pool can hand it from one thread to the next, and one caller uses it at a time.
public final class HTTPConnection: @unchecked Sendable {
    /// A response: status, headers (lowercased names) and body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let host: String
    private let port: Int
    private let timeout: Double
    private var socketFD: Int32 = -1
    /// Set for HTTPS: where the CA file is (nil: the system's roots), and the open TLS stream.
    private let tls: TLSOptions?
    private var stream: TLSClientStream?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Scratch space for `recv`, kept between reads.
    private var chunk = [UInt8](repeating: 0, count: 65536)

    public init(host: String, port: Int, timeout: Double = 30, tls: TLSOptions? = nil) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.tls = tls
    }

    deinit { close() }

    /// Whether a connection is open (a request on it may find that the server closed it meanwhile).
    public var isOpen: Bool { socketFD >= 0 || stream != nil }

    /// Closes the connection; the next request reconnects.
    public func close() {
        if socketFD >= 0 { Glibc.close(socketFD) }
        socketFD = -1
        stream?.close()
        stream = nil
        buffer.removeAll()
        start = 0
    }

    /// The bytes of a request. A body without a `Content-Type` header is sent as JSON.
    public static func request(
        method: String, path: String, host: String = "localhost", headers: [(String, String)] = [], body: Data? = nil
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if body != nil && !headers.contains(where: { $0.0.lowercased() == "content-type" }) { head += "Content-Type: application/json\r\n" }
        head += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
        var bytes = Array(head.utf8)
        if let body { bytes.append(contentsOf: body) }
        return bytes
    }

    /// Sends one request and reads its response.
    public func send(method: String, path: String, headers: [(String, String)] = [], body: Data? = nil) throws(HTTPTransportError) -> Response {
        try send(raw: Self.request(method: method, path: path, host: "\(host):\(port)", headers: headers, body: body))
    }

    /// Sends pre-built request bytes and reads the response.
    public func send(raw bytes: [UInt8]) throws(HTTPTransportError) -> Response {
        try write(bytes)
        return try readResponse()
    }

    /// Writes bytes, connecting first when needed (tests send partial requests this way).
    public func write(_ bytes: [UInt8]) throws(HTTPTransportError) {
        if !isOpen { try connect() }
        if let stream {
            do {
                try stream.send(bytes)
            } catch {
                close()
                throw error
            }
            return
        }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else {
                let reason = String(cString: strerror(errno))
                close()
                throw HTTPTransportError("send to \(host):\(port): \(reason)")
            }
            offset += sent
        }
    }

    /// Reads one response; a broken or malformed answer closes the connection.
    public func readResponse() throws(HTTPTransportError) -> Response {
        do {
            return try parseResponse()
        } catch {
            close()
            throw error
        }
    }

    private func connect() throws(HTTPTransportError) {
        if let tls {
            stream = try TLSClientStream.connect(host: host, port: port, caFile: tls.caFile, timeout: timeout)
            return
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HTTPTransportError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                socketFD = fd
                return
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(fd)
        }
        throw HTTPTransportError("cannot connect to \(host):\(port): \(lastError)")
    }

    /// Appends what the socket has to the buffer (indices into the buffer stay valid).
    private func fill() throws(HTTPTransportError) {
        if let stream {
            try stream.receive(into: &buffer, timeout: timeout)
            return
        }
        let count = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            throw HTTPTransportError(count == 0 ? "\(host):\(port) closed the connection" : "recv from \(host):\(port): \(String(cString: strerror(errno)))")
        }
        buffer.append(contentsOf: chunk[0..<count])
    }

    /// The index of the next CRLF at or after `from`, reading more as needed.
    private func line(from: Int) throws(HTTPTransportError) -> Int {
        var index = from
        while true {
            while index + 1 < buffer.count {
                if buffer[index] == 13 && buffer[index + 1] == 10 { return index }
                index += 1
            }
            try fill()
        }
    }

    private func parseResponse() throws(HTTPTransportError) -> Response {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var cursor = 0
        var lineEnd = try line(from: cursor)
        let statusLine = String(decoding: buffer[start..<lineEnd], as: UTF8.self).split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw HTTPTransportError("\(host):\(port) sent a malformed status line") }
        var headers: [String: String] = [:]
        cursor = lineEnd + 2
        while true {
            lineEnd = try line(from: cursor)
            if lineEnd == cursor { break }
            let text = String(decoding: buffer[cursor..<lineEnd], as: UTF8.self)
            if let colon = text.firstIndex(of: ":") {
                headers[text[..<colon].lowercased()] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            cursor = lineEnd + 2
        }
        cursor = lineEnd + 2
        var body = Data()
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                lineEnd = try line(from: cursor)
                let sizeText = String(decoding: buffer[cursor..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw HTTPTransportError("bad chunk size") }
                cursor = lineEnd + 2
                while buffer.count < cursor + size + 2 { try fill() }
                body.append(contentsOf: buffer[cursor..<(cursor + size)])
                cursor += size + 2
                if size == 0 { break }
            }
        } else {
            let length = headers["content-length"].flatMap(Int.init) ?? 0
            while buffer.count < cursor + length { try fill() }
            body = Data(buffer[cursor..<(cursor + length)])
            cursor += length
        }
        start = cursor
        if headers["connection"]?.lowercased() == "close" { close() }
        return Response(status: status, headers: headers, body: body)
    }
}

/// The coordinator could not be reached, or the connection broke.
public struct HTTPTransportError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// HTTPS settings of a client connection.
public struct TLSOptions: Sendable {
    /// A PEM file of the CA certificates to trust instead of the system's (`forage worker --ca-file`).
    public var caFile: String?

    public init(caFile: String? = nil) {
        self.caFile = caFile
    }
}
