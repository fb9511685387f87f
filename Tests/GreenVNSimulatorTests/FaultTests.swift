import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("faults")
struct FaultTests {
    let body = Harness.createBody("F1", a: ["+919876543210"], b: ["+918765432109"])

    @Test func statusFaultAnswersAnErrorEnvelopeAndDoesNothing() async throws {
        try await withSimulator { h in
            h.sim.inject(.status(503), on: .create)
            let r = try await h.call("POST", h.root, body)
            #expect(r.status == 503 && r.code == 0 && r.envelope?["status"] == .int(503))
            #expect(try h.sim.allAllocations().isEmpty)
            #expect(try await h.call("POST", h.root, body).status == 200, "one fault, then normal")
        }
    }

    @Test func badGatewayIsAnHTMLPage() async throws {
        try await withSimulator { h in
            h.sim.inject(.status(502))
            let r = try await h.call("POST", h.root, body)
            #expect(r.status == 502 && r.headers["content-type"] == "text/html" && r.text.contains("502 Bad Gateway"))
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func throttleIs429WithRetryAfter() async throws {
        try await withSimulator { h in
            h.sim.inject(.throttle(retryAfterSeconds: 7), on: .create)
            let r = try await h.call("POST", h.root, body)
            #expect(r.status == 429 && r.headers["retry-after"] == "7")
            #expect(r.envelope?["status"] == .int(429) && r.envelope?["success"] == .bool(false))
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func htmlAndEmptyBodiesDoNothing() async throws {
        try await withSimulator { h in
            h.sim.inject(.html, on: .create)
            h.sim.inject(.empty, on: .create)
            let html = try await h.call("POST", h.root, body)
            #expect(html.status == 200 && html.text.hasPrefix("<html>"))
            let empty = try await h.call("POST", h.root, body)
            #expect(empty.status == 200 && empty.body.isEmpty)
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func htmlAfterActingCommitsTheCall() async throws {
        try await withSimulator { h in
            h.sim.inject(.htmlAfterActing, on: .create)
            let r = try await h.call("POST", h.root, body)
            #expect(r.status == 200 && r.text.hasPrefix("<html>"))
            #expect(try h.sim.allAllocations().count == 1)
        }
    }

    @Test func dropBeforeActingClosesWithNoResponseAndDoesNothing() async throws {
        try await withSimulator { h in
            h.sim.inject(.dropBeforeActing, on: .create)
            let o = try await h.outcome("POST", h.root, body)
            guard case .incomplete(let bytes) = o else { Issue.record("got a complete response"); return }
            #expect(bytes.isEmpty)
            #expect(try h.sim.allAllocations().isEmpty)
            #expect(try await h.call("POST", h.root, body).status == 200)
        }
    }

    @Test func dropAfterActingCommitsThenClosesWithNoResponse() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("DA")
            h.sim.inject(.dropAfterActing, on: .deallocate)
            let o = try await h.outcome("DELETE", "\(h.root)/\(a.greenvnId)")
            #expect(o.response == nil)
            #expect(try h.sim.allAllocations().first?.state == .vault)
            h.sim.inject(.dropAfterActing, on: .create)
            #expect(try await h.outcome("POST", h.root, body).response == nil)
            let retry = try await h.call("POST", h.root, body)
            #expect(retry.status == 409 && retry.code == 18, "the lost create happened")
        }
    }

    @Test func stallWaitsThenActs() async throws {
        try await withSimulator { h in
            h.sim.inject(.stall(seconds: 0.6), on: .create)
            let start = Date()
            let r = try await h.call("POST", h.root, body)
            #expect(Date().timeIntervalSince(start) >= 0.6)
            #expect(r.status == 200)
            #expect(try h.sim.allAllocations().count == 1)
        }
    }

    @Test func stallWhoseClientHangsUpDoesNothing() async throws {
        try await withSimulator { h in
            h.sim.inject(.stall(seconds: 0.8), on: .create)
            await #expect(throws: RawTimeout.self) { try await h.outcome("POST", h.root, body, timeout: 0.2) }
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func faultsAreFIFOAndPerKind() async throws {
        try await withSimulator { h in
            h.sim.inject(.status(500), on: .swap, count: 2)
            h.sim.inject(.throttle(retryAfterSeconds: 1), on: .swap)
            let a = try await h.allocate("K")
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn").status) }
            #expect(statuses == [500, 500, 429, 200])
            #expect(h.sim.requestCount(.swap) == 4 && h.sim.requestCount(.create) == 1 && h.sim.requestCount(.any) == 5)
            h.sim.inject(.status(500), count: 3)
            h.sim.clearFaults()
            #expect(try await h.details(a.greenvnId).status == 200)
        }
    }

    @Test func ratesAreSeededAndReproducible() async throws {
        func run(seed: UInt64) async throws -> [Int] {
            var out: [Int] = []
            try await withSimulator({ $0.seed = seed; $0.faults = FaultRates(errorRate: 0.3, throttleRate: 0.3) }) { h in
                for _ in 0..<20 { out.append(try await h.call("GET", "\(h.root)/none").status) }
            }
            return out
        }
        let a = try await run(seed: 1)
        #expect(Set(a) == [404, 429, 500])
        #expect(try await run(seed: 1) == a)
    }

    @Test func everyRequestFailsAtRateOneAndLatencyDelays() async throws {
        try await withSimulator({ $0.faults = FaultRates(latencyMs: 150, errorRate: 1) }) { h in
            let start = Date()
            let r = try await h.call("POST", h.root, body)
            #expect(r.status == 500 && r.code == 0)
            #expect(Date().timeIntervalSince(start) >= 0.15)
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func faultJSONRoundTripsAndAcceptsShorthand() throws {
        let all: [Fault] = [.status(503), .throttle(retryAfterSeconds: 3), .html, .htmlAfterActing, .empty,
                            .dropBeforeActing, .dropAfterActing, .stall(seconds: 1.5)]
        for f in all {
            let data = try JSONEncoder().encode(f)
            #expect(try JSONDecoder().decode(Fault.self, from: data) == f, "\(String(decoding: data, as: UTF8.self))")
        }
        #expect(try JSONDecoder().decode(Fault.self, from: Data(#""dropAfterActing""#.utf8)) == .dropAfterActing)
        #expect(try JSONDecoder().decode(Fault.self, from: Data(#"{"type":"throttle","retry_after_seconds":9}"#.utf8)) == .throttle(retryAfterSeconds: 9))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Fault.self, from: Data(#"{"type":"meteor"}"#.utf8)) }
        #expect(CallKind(loosely: "call-party") == .callParty)
    }
}
