import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("serving and robustness")
struct LifecycleTests {
    @Test func settingsPointAClientAtTheSimulator() async throws {
        try await withSimulator({ $0.accountSID = "ACME"; $0.apiKey = "k1"; $0.apiToken = "t1" }) { h in
            let s = h.sim.settings
            #expect(h.port > 0)
            #expect(s.baseURL == "http://127.0.0.1:\(h.port)/v1")
            #expect(s.greenvnURL == "http://127.0.0.1:\(h.port)/v1/tenants/ACME/greenvn")
            #expect(s.accountSID == "ACME" && s.apiKey == "k1" && s.apiToken == "t1")
            #expect(throws: Never.self) { try s.checkTransport() }
            let r = try await h.create("S1")
            #expect(r.status == 200)
        }
    }

    @Test func stopReleasesThePortAndStartCanBindAgain() async throws {
        let sim = try Simulator()
        try await sim.start()
        let port = sim.port
        await sim.stop()
        await #expect(throws: (any Error).self) { try await Harness(sim: sim).outcome("GET", "/") }
        try await sim.start(port: port)
        #expect(sim.port == port)
        #expect(try await Harness(sim: sim).call("GET", "/_sim/stats").status == 200)
        await sim.stop()
    }

    @Test func aPortInUseIsAnError() async throws {
        try await withSimulator { h in
            let other = try Simulator()
            await #expect(throws: (any Error).self) { try await other.start(port: h.port) }
        }
    }

    @Test func runServesUntilCancelled() async throws {
        let sim = try Simulator()
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await sim.run(host: "127.0.0.1", port: 0) { sink.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0 && sim.port == port)
        #expect(try await Harness(sim: sim).create("R1").status == 200)
        task.cancel()
        _ = await task.result
        await #expect(throws: (any Error).self) { try await Harness(sim: sim).outcome("GET", "/") }
    }

    @Test func hostileBodiesGetAnswersNotCrashes() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("H0")
            let nasty: [Data] = [
                Data(String(repeating: "[", count: 100_000).utf8),
                Data(String(repeating: "{\"a\":", count: 20_000).utf8),
                Data([0xFF, 0xFE, 0x00, 0x1B, 0x5B]),
                Data(#"{"connection_id":"\u001b[31mX","aparty_numbers":"+919876543210","bparty_numbers":[1e300],"usage":true,"aparty_pins":[-1, 99999999999999999999, "0"],"preferences":[],"deallocation_policy":"1d"}"#.utf8),
                Data(#"{"strictness":{"x":1},"preferences":{"greenvn":[],"region":7,"number_type":null,"pin_code":123456}}"#.utf8),
                Data(#"{"aparty_numbers":null,"bparty_numbers":{},"usage":"oneway"}"#.utf8),
            ]
            for body in nasty {
                for (method, path) in [("POST", h.root), ("PUT", "\(h.root)/\(a.greenvnId)/vn"), ("PUT", "\(h.root)/\(a.greenvnId)/call-party")] {
                    let r = try await h.call(method, path, rawBody: body)
                    #expect((400..<500).contains(r.status) || r.status == 200, "\(method) \(path): \(r.status) \(r.text)")
                    #expect(r.json?.arrayValue != nil || r.status == 200)
                }
            }
            #expect(try await h.details(a.greenvnId).status == 200)
        }
    }
}
