import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

@Suite(.serialized) struct RoundTrip {
    @Test func everyCallOverLoopback() async throws {
        try await withBench { b in
            let created = try await b.client.create(AllocationRequest(
                connectionId: "X1", aparty: Party(["+919176226528", "+911234567891"], pins: [1234]), bparty: Party(["+918136966620"]), usage: .twoway, duration: try DeallocationDuration.parse("600s").get(), flowId: "f1"))
            #expect(created.connectionId == "X1")
            #expect(created.state == .active)
            #expect(created.greenVN.hasPrefix("+91"), "the create answer's `green_vn` is read")
            #expect(created.aparty.pins == [1234] && created.flowId == "f1")

            let fetched = try await b.client.details(created.greenvnId)
            #expect(fetched == created)

            let swapped = try await b.client.swap(created.greenvnId, SwapRequest(), knownVN: created.greenVN)
            #expect(swapped.greenVN != created.greenVN)
            #expect(swapped.connectionId == "X1" && swapped.aparty.numbers == created.aparty.numbers)

            let updated = try await b.client.updateParties(created.greenvnId, PartyUpdate(bparty: Party.Change(numbers: ["+918888888888"]), usage: .oneway))
            #expect(updated.bparty.numbers == ["+918888888888"] && updated.usage == .oneway)
            #expect(updated.greenVN == swapped.greenVN)

            let gone = try await b.client.deallocate(created.greenvnId)
            #expect(gone.state == .vault)
            #expect(try await b.client.details(created.greenvnId).state == .vault)
            #expect(try b.sim.allAllocations().map(\.state) == [.vault])
        }
    }

    @Test func swapWithPreferencesIsHonoured() async throws {
        try await withBench { b in
            let a = try await b.client.create(request())
            let r = SwapRequest(strictness: true, preferences: Preferences(region: .KA, type: .landline))
            let s = try await b.client.swap(a.greenvnId, r, knownVN: a.greenVN)
            #expect(s.greenVN.hasPrefix("+9180"), "a KA landline starts with STD code 80: \(s.greenVN)")
        }
    }

    @Test func refusalsAreTypedWithCodeAndNextStep() async throws {
        try await withBench { b in
            let first = try await b.client.create(request("dup"))
            #expect(!first.greenvnId.isEmpty)
            guard case .refused(let r)? = await failure({ try await b.client.create(request("dup")) }) else {
                Issue.record("duplicate connection_id not refused"); return
            }
            #expect(r.code == 18 && r.httpStatus == 409)
            #expect(GreenVNError.refused(r).exitCode == 1)

            guard case .refused(let nf)? = await failure({ try await b.client.details("no-such-id") }) else {
                Issue.record("unknown id not refused"); return
            }
            #expect(nf.code == 1 && nf.httpStatus == 404)

            _ = try await b.client.deallocate(first.greenvnId)
            guard case .refused(let twice)? = await failure({ try await b.client.deallocate(first.greenvnId) }) else {
                Issue.record("second deallocate not refused"); return
            }
            #expect(twice.code == 22 && twice.httpStatus == 410)
        }
    }

    @Test func wrongCredentialsAreRefusedWithoutRetry() async throws {
        try await withBench { b in
            var s = b.sim.settings
            s.apiToken = "wrong"
            let client = LeadAssistClient(settings: s, retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01))
            guard case .refused(let r)? = await failure({ try await client.details("x") }) else {
                Issue.record("bad token not refused"); return
            }
            #expect(r.code == 7 && r.httpStatus == 401)
            #expect(b.sim.requestCount(.details) == 1)
        }
    }

    @Test func exhaustedPoolSaysRelaxPreferences() async throws {
        var config = SimulatorConfig()
        config.numbersPerRegionAndType = 1
        try await withBench(config: config) { b in
            for i in 0..<22 { _ = try await b.client.create(request("c\(i)", a: "+9190000000\(String(format: "%02d", i))")) }
            guard case .refused(let r)? = await failure({ try await b.client.create(request("one-too-many")) }) else {
                Issue.record("no exhaustion"); return
            }
            #expect(r.code == 4 && r.httpStatus == 452)
            #expect(r.nextStep.contains("strictness"))
        }
    }
}
