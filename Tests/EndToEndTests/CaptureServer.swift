import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-request HTTP server on loopback that records what it was sent and answers with a
/// fixed reply: proof of the exact bytes greenvn puts on the wire.
final class CaptureServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var captured: (head: String, body: Data)?

    init(status: Int, reply: String) throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) } }
        listen(sock, 4)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        fd = sock
        let listener = sock
        let thread = Thread { [weak self] in
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var data = Data()
            var buf = [UInt8](repeating: 0, count: 65_536)
            // Read the head, then Content-Length bytes of body.
            while true {
                let n = recv(client, &buf, buf.count, 0)
                if n <= 0 { break }
                data.append(contentsOf: buf[0..<n])
                if let range = data.range(of: Data("\r\n\r\n".utf8)) {
                    let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    if data.count - range.upperBound >= length {
                        self?.record(head: head, body: Data(data[range.upperBound..<(range.upperBound + length)]))
                        break
                    }
                }
            }
            let body = Data(reply.utf8)
            let response = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            var bytes = Data(response.utf8); bytes.append(body)
            _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, bytes.count, 0) }
            close(client)
        }
        thread.start()
    }

    private func record(head: String, body: Data) {
        lock.lock(); captured = (head, body); lock.unlock()
    }

    var request: (head: String, body: Data)? {
        lock.lock(); defer { lock.unlock() }
        return captured
    }

    deinit { close(fd) }
}
