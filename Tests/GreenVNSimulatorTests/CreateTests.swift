import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("create and details")
struct CreateTests {
    @Test func createAnswersTheDocumentedEnvelopeWithTheGreenVNKey() async throws {
        try await withSimulator { h in
            let r = try await h.create("X1", a: ["+919176226528", "+911234567891"], b: ["+918136966620"],
                                       extra: "\"deallocation_policy\":{\"duration\":\"600s\"}")
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "application/json")
            let env = try #require(r.json)
            #expect(env["success"] == .bool(true))
            #expect(env["status"] == .int(200))
            let data = try #require(env["data"])
            // As the create document's answer and field table show it: `green_vn`, like every other call.
            #expect(data.keys == ["connection_id", "aparty_numbers", "bparty_numbers", "usage", "state", "green_vn", "greenvn_id"])
            #expect(data["connection_id"] == .string("X1"))
            #expect(data["state"] == .string("active"))
            #expect(data["usage"] == .string("twoway"))
            #expect(data["aparty_numbers"] == .array([.string("+919176226528"), .string("+911234567891")]))
            let id = try #require(data["greenvn_id"]?.stringValue)
            #expect(UUID(uuidString: id) != nil && id == id.lowercased())
            let vn = try #require(data["green_vn"]?.stringValue)
            #expect(h.sim.poolNumbers.contains(vn))
        }
    }

    @Test func detailsAnswersGreenVNKeyAndTheSameAllocation() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("D1", extra: "\"aparty_pins\":[1234],\"flow_id\":\"F7\"")
            let r = try await h.details(a.greenvnId)
            #expect(r.status == 200)
            let data = try #require(r.data)
            #expect(data["greenvn"] == nil)
            #expect(data["green_vn"] == .string(a.greenVN))
            #expect(data["aparty_pins"] == .array([.int(1234)]))
            #expect(data["bparty_pins"] == nil, "empty pins are omitted")
            #expect(data["flow_id"] == .string("F7"))
            #expect(Wire.allocation(from: data) == a)
            #expect(try h.sim.allAllocations() == [a])
        }
    }

    @Test func flowIdIsOmittedWhenNotGiven() async throws {
        try await withSimulator { h in
            let r = try await h.create("NF")
            #expect(r.data?["flow_id"] == nil)
            #expect(r.data?["aparty_pins"] == nil)
        }
    }

    @Test func duplicateConnectionIdIs409Code18ArrayWrapped() async throws {
        try await withSimulator { h in
            let first = try await h.allocate("DUP")
            let r = try await h.create("DUP", a: ["+919000000001"], b: ["+919000000002"])
            #expect(r.status == 409)
            // The exact documented shape: an array holding one error object.
            #expect(r.json == .array([.object(["success": .bool(false), "status": .int(409), "code": .int(18),
                                               "message": .string("Allocation exists for this connection id."), "data": .null])]))
            // Still refused once the first one is in the vault.
            _ = try await h.call("DELETE", "\(h.root)/\(first.greenvnId)")
            #expect(try await h.create("DUP").code == 18)
            #expect(try h.sim.allAllocations().count == 1)
        }
    }

    @Test(arguments: [
        (#"{"connection_id":"S","aparty_numbers":["+919876543210"],"bparty_numbers":["+919876543210"],"usage":"oneway"}"#, 409, 14, "bparty_numbers"),
        (#"{"connection_id":"S","aparty_numbers":["+12"],"bparty_numbers":["+918765432109"],"usage":"oneway"}"#, 400, 16, "aparty_numbers: \"+12\" is not E.164"),
        (#"{"connection_id":"S","aparty_numbers":["9876543210"],"bparty_numbers":["+918765432109"],"usage":"oneway"}"#, 400, 16, "aparty_numbers"),
        (#"{"connection_id":"S","aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"]}"#, 400, 3, "usage"),
        (#"{"aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"],"usage":"oneway"}"#, 400, 3, "connection_id"),
        (#"{"connection_id":"S","aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"],"usage":"oneway","preferences":{"region":"XX"}}"#, 403, 15, "region"),
        (#"{"connection_id":"S","aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"],"usage":"oneway","deallocation_policy":{"duration":"1s"}}"#, 400, 23, "duration"),
        (#"{"connection_id":"S","aparty_numbers":["+919876543210","+919876543210"],"bparty_numbers":["+918765432109"],"usage":"oneway"}"#, 409, 13, "listed twice"),
        (#"{"connection_id":"S","aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"],"usage":"sideways"}"#, 400, 5, "usage"),
        (#"{"connection_id":"S","aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"],"usage":"oneway","preferences":{"greenvn":"+919876543210"}}"#, 409, 14, "greenvn"),
        (#"{"connection_id": "S", "aparty_numbers": ["+9198"#, 400, 5, "not a JSON object"),
        (#"[1,2,3]"#, 400, 5, "not a JSON object"),
        ("", 400, 5, "empty"),
    ])
    func invalidCreatesAreRefusedWithTheDocumentedCode(body: String, status: Int, code: Int, mentions: String) async throws {
        try await withSimulator { h in
            let r = try await h.call("POST", h.root, rawBody: Data(body.utf8))
            #expect(r.status == status, "\(r.text)")
            #expect(r.code == code, "\(r.text)")
            #expect(r.envelope?["status"] == .int(Int64(status)))
            #expect(r.envelope?["message"]?.stringValue?.contains(mentions) == true, "\(r.text)")
            #expect(r.json?.arrayValue?.count == 1, "error envelopes are array-wrapped")
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func unknownFlowIs422Code50WhenFlowsAreConfigured() async throws {
        try await withSimulator({ $0.flows = ["F1", "F2"] }) { h in
            let bad = try await h.create("FL1", extra: "\"flow_id\":\"F9\"")
            #expect(bad.status == 422 && bad.code == 50)
            let good = try await h.create("FL2", extra: "\"flow_id\":\"F2\"")
            #expect(good.status == 200)
            #expect(good.data?["flow_id"] == .string("F2"))
        }
    }

    @Test func unknownIdIs404Code1() async throws {
        try await withSimulator { h in
            for (method, suffix, body) in [("GET", "", nil), ("DELETE", "", nil), ("PUT", "/vn", nil as String?),
                                           ("PUT", "/call-party", #"{"aparty_numbers":["+919876543210"]}"#)] {
                let r = try await h.call(method, "\(h.root)/no-such-id\(suffix)", body)
                #expect(r.status == 404 && r.code == 1, "\(method) \(suffix): \(r.text)")
            }
        }
    }

    @Test func authIsRequired() async throws {
        try await withSimulator { h in
            let none = try await h.call("POST", h.root, Harness.createBody("A1", a: ["+919876543210"], b: ["+918765432109"]), auth: .none)
            #expect(none.status == 401 && none.code == 7)
            #expect(none.headers["www-authenticate"]?.hasPrefix("Basic") == true)
            let wrong = try await h.call("GET", "\(h.root)/x", auth: .custom("sim-key", "nope"))
            #expect(wrong.status == 401 && wrong.code == 7)
            let garbage = try await h.outcome("GET", "\(h.root)/x", auth: .none, headers: ["Authorization": "Basic !!!"])
            #expect(garbage.response?.code == 7)
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func anotherTenantIs403Code8() async throws {
        try await withSimulator { h in
            let r = try await h.call("POST", "/v1/tenants/OTHER/greenvn", Harness.createBody("T1", a: ["+919876543210"], b: ["+918765432109"]))
            #expect(r.status == 403 && r.code == 8)
            #expect(try h.sim.allAllocations().isEmpty)
        }
    }

    @Test func unknownPathsAndMethodsAreRefusedNotCrashed() async throws {
        try await withSimulator { h in
            #expect(try await h.call("GET", "/").status == 404)
            #expect(try await h.call("GET", "/v1/tenants/SIMULATOR/other").status == 404)
            #expect(try await h.call("PATCH", "\(h.root)/abc").status == 405)
            #expect(try await h.call("GET", h.root).status == 405)
            #expect(try await h.call("PUT", "\(h.root)/abc/nope").status == 404)
            let weird = try await h.call("GET", "\(h.root)/%00%1b%5B31m")
            #expect(weird.status == 404 && weird.code == 1)
        }
    }

    @Test func bodiesOverOneMebibyteAre413Code17() async throws {
        try await withSimulator { h in
            let big = Data(repeating: UInt8(ascii: " "), count: (1 << 20) + 10)
            let r = try await h.call("POST", h.root, rawBody: big)
            #expect(r.status == 413 && r.code == 17)
            // The server is still fine afterwards.
            #expect(try await h.create("after-big").status == 200)
        }
    }

    @Test func defaultDurationAppliesWhenNoPolicyIsGiven() async throws {
        try await withSimulator({ $0.defaultDurationSeconds = 3_600 }) { h in
            let a = try await h.allocate("DD")
            let b = try await h.allocate("DD2", a: ["+919000000001"], b: ["+919000000002"],
                                         extra: "\"deallocation_policy\":{\"duration\":\"2h\"}")
            let expiries = try h.sim.expiries()
            let now = Int(Date().timeIntervalSince1970)
            #expect(abs(expiries[a.greenvnId]! - (now + 3_600)) <= 5)
            #expect(abs(expiries[b.greenvnId]! - (now + 7_200)) <= 5)
        }
    }
}
