import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("/_sim control endpoints")
struct ControlTests {
    @Test func faultsCanBeQueuedAndClearedOverHTTP() async throws {
        try await withSimulator { h in
            let q = try await h.call("POST", "/_sim/faults", #"{"fault":{"type":"status","status":503},"kind":"create","count":2}"#)
            #expect(q.status == 200)
            let body = Harness.createBody("CT", a: ["+919876543210"], b: ["+918765432109"])
            #expect(try await h.call("POST", h.root, body).status == 503)
            #expect(try await h.call("DELETE", "/_sim/faults").status == 200)
            #expect(try await h.call("POST", h.root, body).status == 200)
            let drop = try await h.call("POST", "/v1/_sim/faults", #"{"fault":"drop_before_acting","kind":"details"}"#)
            #expect(drop.status == 200)
            #expect(try await h.outcome("GET", "\(h.root)/x").response == nil)
            let bad = try await h.call("POST", "/_sim/faults", #"{"fault":{"type":"meteor"}}"#)
            #expect(bad.status == 400)
            let badKind = try await h.call("POST", "/_sim/faults", #"{"fault":"html","kind":"everything"}"#)
            #expect(badKind.status == 400)
        }
    }

    @Test func clockAllocationsAndStats() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("CL", extra: "\"deallocation_policy\":{\"duration\":\"5m\"}")
            let listed = try await h.call("GET", "/_sim/allocations")
            let items = try #require(listed.json?.arrayValue)
            #expect(items.count == 1)
            #expect(items[0]["green_vn"] == .string(a.greenVN) && items[0]["state"] == .string("active"))
            #expect(items[0]["expires_at"] != nil)
            let clock = try await h.call("POST", "/_sim/clock", #"{"advance_seconds": 300}"#)
            #expect(clock.status == 200)
            let after = try await h.call("GET", "/_sim/allocations")
            #expect(after.json?.arrayValue?.first?["state"] == .string("vault"))
            #expect(try await h.call("POST", "/_sim/clock", #"{"advance": 1}"#).status == 400)
            _ = try await h.details(a.greenvnId)
            let stats = try #require(try await h.call("GET", "/_sim/stats").json)
            #expect(stats["create"] == .int(1) && stats["details"] == .int(1) && stats["any"] == .int(2))
            #expect(stats["swap"] == .int(0))
        }
    }

    @Test func controlNeedsAuth() async throws {
        try await withSimulator { h in
            let r = try await h.call("GET", "/_sim/stats", auth: .none)
            #expect(r.status == 401 && r.code == 7)
            let f = try await h.call("POST", "/_sim/faults", #"{"fault":"html"}"#, auth: .custom("x", "y"))
            #expect(f.status == 401)
            #expect(try await h.call("GET", "/_sim/nothing").status == 404)
        }
    }
}
