import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

/// Kit's own client against the simulator: the two sides of the wire agree.
@Suite("LeadAssistClient against the simulator")
struct ClientInteropTests {
    @Test func everyCallRoundTrips() async throws {
        try await withSimulator { h in
            let client: any LeadAssistAPI = LeadAssistClient(settings: h.sim.settings)
            let created = try await client.create(AllocationRequest(
                connectionId: "I1", aparty: Party(["+919876543210"], pins: [1234]), bparty: Party(["+918765432109"]), usage: .twoway, strictness: true,
                preferences: Preferences(region: .KA, type: .landline), duration: DeallocationDuration(seconds: 600)))
            #expect(Pool(perRegionAndType: 20).number(created.greenVN)?.region == .KA)
            #expect(try await client.details(created.greenvnId) == created)
            let swapped = try await client.swap(created.greenvnId, SwapRequest(strictness: true, preferences: Preferences(type: .mobile)), knownVN: created.greenVN)
            #expect(swapped.greenVN != created.greenVN && Pool(perRegionAndType: 20).number(swapped.greenVN)?.type == .mobile)
            let updated = try await client.updateParties(created.greenvnId, PartyUpdate(bparty: Party.Change(numbers: ["+917000000009"]), usage: .oneway))
            #expect(updated.bparty.numbers == ["+917000000009"] && updated.usage == .oneway)
            let gone = try await client.deallocate(created.greenvnId)
            #expect(gone.state == .vault)
            #expect(try h.sim.allAllocations() == [gone])
        }
    }

    @Test func aCreateWhoseAnswerIsLostIsReportedAsAllocated() async throws {
        try await withSimulator { h in
            h.sim.inject(.dropAfterActing, on: .create)
            let client = LeadAssistClient(settings: h.sim.settings)
            await #expect(throws: GreenVNError.allocatedResponseLost(connectionId: "L1")) {
                try await client.create(AllocationRequest(connectionId: "L1", aparty: Party(["+919876543210"]), bparty: Party(["+918765432109"]), usage: .oneway))
            }
            let all = try h.sim.allAllocations()
            #expect(all.count == 1, "allocated exactly once")
        }
    }
}
