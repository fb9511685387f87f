import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GreenVNKit

/// What came back on a raw socket: a complete HTTP/1.1 response, or bytes then EOF/reset.
enum RawOutcome {
    case response(RawResponse)
    case incomplete(Data)

    var response: RawResponse? {
        if case .response(let r) = self { return r }
        return nil
    }
}

struct RawResponse {
    var status: Int
    var headers: [String: String]   // lowercased names
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
    /// The envelope, unwrapped from its one-element array when it is an error.
    var envelope: JSONValue? { json.map { $0.arrayValue?.first ?? $0 } }
    var code: Int? { envelope?["code"]?.stringValue.flatMap { Int($0) } }
    var data: JSONValue? { envelope?["data"] }
}

struct RawTimeout: Error {}
struct RawSocketError: Error { let what: String }

/// A deliberately tiny HTTP/1.1 client over POSIX sockets: one request, `Connection: close`,
/// read to EOF, then judge whether a complete response arrived (faults must be visible as such).
func rawRequest(port: Int, method: String, path: String, headers: [String: String] = [:],
                body: Data? = nil, timeout: Double = 10) throws -> RawOutcome {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw RawSocketError(what: "socket") }
    defer { close(fd) }
    var tv = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - Double(Int(timeout))) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw RawSocketError(what: "connect errno \(errno)") }

    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    if let body { head += "Content-Length: \(body.count)\r\n" }
    var bytes = Data((head + "\r\n").utf8)
    if let body { bytes.append(body) }
    var sent = 0
    while sent < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }   // the server may hang up mid-body (a drop): read what there is
        sent += n
    }

    var received = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n > 0 { received.append(contentsOf: buffer[0..<n]); continue }
        if n == 0 || errno == ECONNRESET || errno == EPIPE { break }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw RawTimeout() }
        if errno == EINTR { continue }
        break
    }
    return parse(received)
}

func parse(_ raw: Data) -> RawOutcome {
    guard let end = raw.range(of: Data("\r\n\r\n".utf8)) else { return .incomplete(raw) }
    let lines = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ")
    guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { return .incomplete(raw) }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let rest = Data(raw[end.upperBound...])
    if let length = headers["content-length"].flatMap(Int.init) {
        guard rest.count == length else { return .incomplete(raw) }
        return .response(RawResponse(status: status, headers: headers, body: rest))
    }
    if headers["transfer-encoding"]?.lowercased() == "chunked" {
        guard let body = dechunk(rest) else { return .incomplete(raw) }
        return .response(RawResponse(status: status, headers: headers, body: body))
    }
    return .response(RawResponse(status: status, headers: headers, body: rest))
}

/// nil unless the terminating zero-size chunk arrived.
private func dechunk(_ data: Data) -> Data? {
    var out = Data()
    var i = data.startIndex
    while let lineEnd = data[i...].range(of: Data("\r\n".utf8)) {
        let sizeText = String(decoding: data[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
        guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
        if size == 0 { return out }
        let start = lineEnd.upperBound
        guard data.distance(from: start, to: data.endIndex) >= size + 2 else { return nil }
        let stop = data.index(start, offsetBy: size)
        out.append(data[start..<stop])
        i = data.index(stop, offsetBy: 2)
    }
    return nil
}
