import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GreenVNKit

/// A tiny webhook receiver on a loopback port: records every request and answers each with the
/// next queued status (200 once the queue is empty). Runs on its own thread; `stop()` closes it.
final class Receiver: @unchecked Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: [String: String]   // lowercased names
        var body: Data
        var json: JSONValue? { try? JSONValue.parse(body) }
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Received] = []
    private var statuses: [Int]
    private var stopped = false

    private init(statuses: [Int]) throws {
        self.statuses = statuses
        #if canImport(Glibc)
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let sock = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard sock >= 0 else { throw RawSocketError(what: "socket") }
        var yes: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(sock, 16) == 0 else { close(sock); throw RawSocketError(what: "bind/listen errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) }
        }
        fd = sock
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts accepting; every receiver is made through here.
    static func start(statuses: [Int] = []) throws -> Receiver {
        let r = try Receiver(statuses: statuses)
        Thread { r.acceptLoop() }.start()
        return r
    }

    var url: String { "http://127.0.0.1:\(port)/hooks" }

    var requests: [Received] { lock.withLock { received } }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    deinit { if !lock.withLock({ stopped }) { stop() } }

    /// Waits until `count` requests arrived (or `seconds` passed); the caller asserts on what came.
    func waitFor(_ count: Int, seconds: Double = 20) async -> [Received] {
        let deadline = Date().addingTimeInterval(seconds)
        while requests.count < count && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return requests
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            serve(client)
        }
    }

    /// One request per connection (answered with `Connection: close`).
    private func serve(_ client: Int32) {
        defer { close(client) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var head: (lines: [String], bodyStart: Int)?
        while true {
            if head == nil, let end = data.range(of: Data("\r\n\r\n".utf8)) {
                head = (String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n"), end.upperBound)
            }
            if let h = head {
                let length = h.lines.dropFirst().compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
                }.first ?? 0
                if data.count - h.bodyStart >= length { break }
            }
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            data.append(contentsOf: buffer[0..<n])
        }
        guard let h = head else { return }
        let requestLine = h.lines[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in h.lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let status: Int = lock.withLock {
            received.append(Received(method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
                                     headers: headers, body: Data(data[h.bodyStart...])))
            return statuses.isEmpty ? 200 : statuses.removeFirst()
        }
        let answer = Data("HTTP/1.1 \(status) Status\r\nContent-Length: 2\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nok".utf8)
        _ = answer.withUnsafeBytes { send(client, $0.baseAddress!, answer.count, Int32(MSG_NOSIGNAL)) }
    }
}
