import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("swap, call-party, deallocate")
struct ChangeTests {
    @Test func swapWithoutBodyChangesTheVNFreesTheOldOneAndKeepsTheRest() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("S1", extra: "\"aparty_pins\":[42],\"flow_id\":\"F\"")
            let r = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn")
            #expect(r.status == 200)
            let data = try #require(r.data)
            #expect(data["greenvn"] == nil && data["green_vn"] != nil)
            let b = try #require(Wire.allocation(from: data))
            #expect(b.greenVN != a.greenVN)
            var expected = a
            expected.greenVN = b.greenVN
            #expect(b == expected, "every other field is inherited")
            #expect(try await h.details(a.greenvnId).data?["green_vn"] == .string(b.greenVN))
            // The old VN is free again: a strict request for it succeeds.
            let again = try await h.allocate("S2", a: ["+919000000001"], b: ["+919000000002"],
                                             extra: "\"strictness\":true,\"preferences\":{\"greenvn\":\"\(a.greenVN)\"}")
            #expect(again.greenVN == a.greenVN)
        }
    }

    @Test func swapHonoursNumberTypeAndRegion() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("S3", extra: "\"strictness\":true,\"preferences\":{\"region\":\"DL\",\"type\":\"mobile\"}")
            let r = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn",
                                     #"{"strictness":"true","preferences":{"region":"KA","number_type":"landline"}}"#)
            #expect(r.status == 200)
            let n = try #require(Pool(perRegionAndType: 20).number(r.data?["green_vn"]?.stringValue ?? ""))
            #expect(n.region == .KA && n.type == .landline)
            let pin = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn", #"{"strictness":true,"preferences":{"pin_code":"110001"}}"#)
            #expect(Pool(perRegionAndType: 20).number(pin.data?["green_vn"]?.stringValue ?? "")?.region == .DL)
        }
    }

    @Test func strictSwapMissIs452Code4AndLeavesTheVN() async throws {
        try await withSimulator({ $0.numbersPerRegionAndType = 1 }) { h in
            let a = try await h.allocate("S4", extra: "\"strictness\":true,\"preferences\":{\"region\":\"KA\",\"type\":\"landline\"}")
            // The only KA landline is its own: a strict swap to KA landline cannot be met.
            let r = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn",
                                     #"{"strictness":true,"preferences":{"region":"KA","number_type":"landline"}}"#)
            #expect(r.status == 452 && r.code == 4)
            #expect(try h.sim.allAllocations().first?.greenVN == a.greenVN)
            let sameVN = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn", "{\"strictness\":true,\"preferences\":{\"greenvn\":\"\(a.greenVN)\"}}")
            #expect(sameVN.status == 452, "a swap never gives back the current VN")
        }
    }

    @Test func swapRefusals() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("S5")
            let bad = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn", "{nope")
            #expect(bad.status == 400 && bad.code == 5)
            let region = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn", #"{"preferences":{"region":"ZZ"}}"#)
            #expect(region.status == 403 && region.code == 15)
            let number = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn", #"{"preferences":{"greenvn":"12345"}}"#)
            #expect(number.status == 400 && number.code == 16)
            #expect(try h.sim.allAllocations().first?.greenVN == a.greenVN)
            _ = try await h.call("DELETE", "\(h.root)/\(a.greenvnId)")
            let vault = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn")
            #expect(vault.status == 410 && vault.code == 22)
        }
    }

    @Test func callPartyReplacesTheGivenSides() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("C1", a: ["+919876543210"], b: ["+918765432109"], extra: "\"aparty_pins\":[11]")
            let r = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/call-party",
                                     #"{"bparty_numbers":["+917000000001","+917000000002"],"bparty_pins":["2222"],"usage":"oneway"}"#)
            #expect(r.status == 200, "\(r.text)")
            let b = try #require(r.data.flatMap(Wire.allocation(from:)))
            #expect(b.aparty.numbers == a.aparty.numbers && b.aparty.pins == [11])
            #expect(b.bparty.numbers == ["+917000000001", "+917000000002"] && b.bparty.pins == [2222])
            #expect(b.usage == .oneway && b.greenVN == a.greenVN && b.state == .active)
            #expect(try h.sim.allAllocations() == [b])
        }
    }

    @Test func callPartyChecksTheSideThatStays() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("C2", a: ["+919876543210"], b: ["+918765432109"])
            let cross = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/call-party", #"{"bparty_numbers":["+919876543210"]}"#)
            #expect(cross.status == 409 && cross.code == 14)
            let nothing = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/call-party", #"{"usage":"oneway"}"#)
            #expect(nothing.status == 400 && nothing.code == 3)
            let invalid = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/call-party", #"{"aparty_numbers":["+91 98765"]}"#)
            #expect(invalid.status == 400 && invalid.code == 16)
            let malformed = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/call-party", "")
            #expect(malformed.status == 400 && malformed.code == 5)
            #expect(try h.sim.allAllocations() == [a])
            _ = try await h.call("DELETE", "\(h.root)/\(a.greenvnId)")
            let vault = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/call-party", #"{"bparty_numbers":["+917000000001"]}"#)
            #expect(vault.status == 410 && vault.code == 22)
        }
    }

    @Test func deallocateTwiceIs200Then410() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("X")
            let first = try await h.call("DELETE", "\(h.root)/\(a.greenvnId)")
            #expect(first.status == 200)
            #expect(first.data?["state"] == .string("vault"))
            #expect(first.data?["green_vn"] == .string(a.greenVN))
            let second = try await h.call("DELETE", "\(h.root)/\(a.greenvnId)")
            #expect(second.status == 410 && second.code == 22)
            #expect(try await h.details(a.greenvnId).data?["state"] == .string("vault"))
            let reuse = try await h.create("Y", extra: "\"strictness\":true,\"preferences\":{\"greenvn\":\"\(a.greenVN)\"}")
            #expect(reuse.status == 200, "the VN went back to the pool")
        }
    }

    @Test func expiryMovesToTheVaultAndFreesTheVN() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("EXP", extra: "\"deallocation_policy\":{\"duration\":\"10m\"}")
            // Seconds tick in real time too: leave a margin below the 600 s lifetime.
            try h.sim.advanceClock(seconds: 590)
            #expect(try await h.details(a.greenvnId).data?["state"] == .string("active"))
            try h.sim.advanceClock(seconds: 10)
            #expect(try await h.details(a.greenvnId).data?["state"] == .string("vault"))
            #expect(try h.sim.allAllocations().first?.state == .vault)
            let swap = try await h.call("PUT", "\(h.root)/\(a.greenvnId)/vn")
            #expect(swap.status == 410 && swap.code == 22)
            let reuse = try await h.create("EXP2", extra: "\"strictness\":true,\"preferences\":{\"greenvn\":\"\(a.greenVN)\"}")
            #expect(reuse.status == 200)
        }
    }
}
