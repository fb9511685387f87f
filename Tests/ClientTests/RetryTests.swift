import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

@Suite(.serialized) struct Retries {
    @Test func throttledCreateWaitsForRetryAfterThenSucceeds() async throws {
        try await withBench { b in
            b.sim.inject(.throttle(retryAfterSeconds: 1), on: .create, count: 2)
            let started = Date()
            let a = try await b.client.create(request("throttled"))
            #expect(a.state == .active)
            #expect(b.sim.requestCount(.create) == 3)
            // Retry-After asked for 1 s twice: the client must not have come back sooner.
            #expect(Date().timeIntervalSince(started) >= 2)
            #expect(try b.sim.allAllocations().count == 1)
        }
    }

    @Test(arguments: [500, 502, 503])
    func serverErrorsAreRetried(_ status: Int) async throws {
        try await withBench { b in
            let a = try await b.client.create(request())
            b.sim.inject(.status(status), on: .details, count: 2)
            #expect(try await b.client.details(a.greenvnId) == a)
            #expect(b.sim.requestCount(.details) == 3)
        }
    }

    @Test func attemptsAreBounded() async throws {
        try await withBench(attempts: 3) { b in
            b.sim.inject(.status(503), on: .details, count: 10)
            guard case .unavailable(let r)? = await failure({ try await b.client.details("x") }) else {
                Issue.record("not unavailable"); return
            }
            #expect(r.httpStatus == 503)
            #expect(b.sim.requestCount(.details) == 3)
            #expect(GreenVNError.unavailable(r).exitCode == 3)
        }
    }

    @Test func droppedConnectionBeforeActingIsRetried() async throws {
        try await withBench { b in
            b.sim.inject(.dropBeforeActing, on: .create, count: 1)
            let a = try await b.client.create(request("dropped-before"))
            #expect(a.connectionId == "dropped-before")
            #expect(try b.sim.allAllocations().count == 1)
        }
    }

    @Test func lostCreateResponseNeverAllocatesTwice() async throws {
        try await withBench { b in
            b.sim.inject(.dropAfterActing, on: .create, count: 1)
            let outcome = await failure({ try await b.client.create(request("lost")) })
            #expect(outcome == .allocatedResponseLost(connectionId: "lost"))
            #expect(outcome?.description.contains("greenvn import") == true)
            let held = try b.sim.allAllocations().filter { $0.connectionId == "lost" }
            #expect(held.count == 1)
        }
    }

    @Test func lostSwapResponseIsSettledWithAGetNotResent() async throws {
        try await withBench { b in
            let a = try await b.client.create(request())
            b.sim.inject(.dropAfterActing, on: .swap, count: 1)
            let s = try await b.client.swap(a.greenvnId, SwapRequest(), knownVN: a.greenVN)
            #expect(s.greenVN != a.greenVN)
            #expect(b.sim.requestCount(.swap) == 1, "the swap was not sent twice")
            #expect(try b.sim.allAllocations().first?.greenVN == s.greenVN)
        }
    }

    @Test func swapThatNeverLandedIsSentAgainAfterTheGetSaysSo() async throws {
        try await withBench { b in
            let a = try await b.client.create(request())
            b.sim.inject(.dropBeforeActing, on: .swap, count: 1)
            let s = try await b.client.swap(a.greenvnId, SwapRequest(), knownVN: a.greenVN)
            #expect(s.greenVN != a.greenVN)
            #expect(b.sim.requestCount(.swap) == 2)
        }
    }

    @Test func lostDeallocateResponseEndsInTheVault() async throws {
        try await withBench { b in
            let a = try await b.client.create(request())
            b.sim.inject(.dropAfterActing, on: .deallocate, count: 1)
            let gone = try await b.client.deallocate(a.greenvnId)
            #expect(gone.state == .vault)
        }
    }

    @Test func stallLongerThanTheTimeoutIsATimeout() async throws {
        try await withBench(timeout: 0.5, attempts: 2) { b in
            let a = try await b.client.create(request())
            b.sim.inject(.stall(seconds: 2), on: .details, count: 2)
            let e = await failure({ try await b.client.details(a.greenvnId) })
            guard case .timeout? = e else { Issue.record("expected timeout, got \(String(describing: e))"); return }
            #expect(e?.exitCode == 3)
        }
    }

    @Test(arguments: [Fault.html, Fault.empty])
    func nonJSONAnswersAreRetriedThenReported(_ fault: Fault) async throws {
        try await withBench(attempts: 2) { b in
            let a = try await b.client.create(request())
            b.sim.inject(fault, on: .details, count: 1)
            #expect(try await b.client.details(a.greenvnId) == a, "one bad answer is retried")
            b.sim.inject(fault, on: .details, count: 5)
            guard case .badResponse? = await failure({ try await b.client.details(a.greenvnId) }) else {
                Issue.record("not badResponse"); return
            }
        }
    }
}
