import AsyncHTTPClient
import Foundation
import NIOCore

// A library floor (BENCHMARKS.md): one POST with AsyncHTTPClient on the shared event-loop group,
// with the headers greenvn sends, and nothing else. argv: URL BODY (a `{n}`-free JSON body).
@main struct AHCPost {
    static func main() async throws {
        let args = CommandLine.arguments
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: args[1])
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic " + Data("sim-key:sim-token".utf8).base64EncodedString())
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: args[2]))
        let response = try await http.execute(request, timeout: .seconds(15))
        let body = try await response.body.collect(upTo: 1 << 20)
        if response.status.code != 200 { print(response.status.code, String(buffer: body)) }
        try await http.shutdown()
    }
}
