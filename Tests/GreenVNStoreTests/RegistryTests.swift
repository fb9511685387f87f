import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// The registry's contract, against every backend.
@Suite struct RegistryTests {
    @Test(arguments: Backend.all) func roundTripsEveryField(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let now = Fixture.t0
        let request = AllocationRequest(
            connectionId: "order-42", aparty: Party(["+919876543210", "+919876543211"], pins: [1234, 99]), bparty: Party(["+918765432109"], pins: [5678]), usage: .oneway, strictness: true,
            preferences: Preferences(greenvn: "+918000000042", region: .KA, pinCode: "560001", type: .mobile),
            duration: try DeallocationDuration.parse("600s").get(), flowId: "flow-7")
        let answer = Allocation(greenvnId: "0f1e2d3c-aaaa-bbbb", connectionId: "order-42",
                                aparty: Party(request.aparty.numbers, pins: [1234, 99]), bparty: Party(request.bparty.numbers, pins: [5678]), usage: .oneway, state: .active,
                                greenVN: "+918000000042", flowId: "flow-7")
        try await db.registry.remember(answer, how: "allocate", request: request, now: now)
        let r = try db.another()
        let expected = StoredAllocation(allocation: answer, preferences: request.preferences, strictness: true,
                                        durationText: "600s", createdAt: now, updatedAt: now, lastSyncedAt: now,
                                        expiresAt: now.addingTimeInterval(600), status: .known)
        #expect(try r.allocation(id: "0f1e2d3c-aaaa-bbbb") == expected)
        #expect(try r.allocation(connectionId: "order-42") == expected)
        #expect(try r.allocation(id: "nope") == nil)
        #expect(try r.page(ListQuery(state: .all), offset: 0, limit: 10, now: now) == [expected])
        #expect(try r.history(of: "0f1e2d3c-aaaa-bbbb") == [VNChange(greenvnId: "0f1e2d3c-aaaa-bbbb", oldVN: nil, newVN: "+918000000042", at: now, how: "allocate")])
    }

    @Test(arguments: Backend.all) func expiryDefaultsToADayAndSurvivesSwaps(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        let t = Fixture.t0
        try await r.remember(Fixture.allocation("x", cid: "c", vn: "+918000000001"), how: "allocate", request: Fixture.request("c"), now: t)
        #expect(try r.allocation(id: "x")?.expiresAt == t.addingTimeInterval(86_400))
        try await r.remember(Fixture.allocation("x", cid: "c", vn: "+918000000002"), how: "swap", now: t.addingTimeInterval(100))
        let s = try #require(try r.allocation(id: "x"))
        #expect(s.expiresAt == t.addingTimeInterval(86_400))
        #expect(s.createdAt == t)
        #expect(s.updatedAt == t.addingTimeInterval(100))
        #expect(s.allocation.greenVN == "+918000000002")
        // imported without its request: expiry unknown
        try await r.remember(Fixture.allocation("y", cid: "d", vn: "+918000000003"), how: "import", now: t)
        #expect(try r.allocation(id: "y")?.expiresAt == nil)
    }

    @Test(arguments: Backend.all) func historyOnlyWhenTheVNChanges(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        let t = Fixture.t0
        try await r.remember(Fixture.allocation("x", cid: "c", vn: "+918000000001"), how: "allocate", now: t)
        try await r.remember(Fixture.allocation("x", cid: "c", vn: "+918000000001"), how: "refresh", now: t.addingTimeInterval(1))
        try await r.remember(Fixture.allocation("x", cid: "c", vn: "+918000000002"), how: "swap", now: t.addingTimeInterval(2))
        try await r.remember(Fixture.allocation("x", cid: "c", vn: "+918000000003"), how: "refresh", now: t.addingTimeInterval(3))
        let h = try r.history(of: "x")
        #expect(h.map(\.how) == ["allocate", "swap", "refresh"])
        #expect(h.map(\.oldVN) == [nil, "+918000000001", "+918000000002"])
        #expect(h.map(\.newVN) == ["+918000000001", "+918000000002", "+918000000003"])
        #expect(try r.history(of: "other").isEmpty)
    }

    @Test(arguments: Backend.all) func auditRecordsOperatorHostActionTargetOutcome(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        try await r.audit(action: "swap", target: "id-1", outcome: "ok")
        try await r.audit(action: "refresh", target: "id-2", outcome: "Network failure: reset")
        try await r.audit(action: "deallocate", target: "id-1", outcome: "ok")
        let all = try r.audit(for: nil, limit: 10)
        #expect(all.map(\.action) == ["deallocate", "refresh", "swap"])     // newest first
        #expect(all.allSatisfy { !$0.operatorName.isEmpty && $0.operatorName == Identity.operatorName && $0.host == Identity.host })
        #expect(try r.audit(for: "id-1", limit: 10).map(\.action) == ["deallocate", "swap"])
        #expect(try r.audit(for: nil, limit: 1).count == 1)
        #expect(try r.audit(for: "id-2", limit: 10).first?.outcome == "Network failure: reset")
    }

    @Test(arguments: Backend.all) func aConnectionIdClaimedByANewIdSupersedesTheOldRowButKeepsItsTrace(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        try await r.remember(Fixture.allocation("old", cid: "c", vn: "+918000000001"), how: "import")
        try await r.remember(Fixture.allocation("new", cid: "c", vn: "+918000000002"), how: "import")
        #expect(try r.allocation(connectionId: "c")?.id == "new")
        #expect(try r.allocation(id: "old") == nil)
        #expect(try r.history(of: "old").count == 1)
        #expect(try r.audit(for: "old", limit: 5).first?.action == "superseded")
        try checkCounts(r)
    }

    @Test(arguments: Backend.all) func observeFiresAfterAWriteFromASecondRegistryOnTheSameFile(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let watcher = db.registry
        let writer = try db.another()
        let fired = Flag()
        let token = watcher.observe { fired.hit() }
        try await Task.sleep(for: .milliseconds(400))
        #expect(fired.count == 0, "nothing written yet")
        try await writer.remember(Fixture.allocation("x", cid: "c", vn: "+918000000001"), how: "import")
        #expect(await eventually(30) { fired.count >= 1 })
        let before = fired.count
        try await writer.audit(action: "refresh", target: "x", outcome: "ok")
        #expect(await eventually(30) { fired.count > before })
        withExtendedLifetime(token) {}
    }

    @Test(arguments: Backend.all) func droppingTheObservationTokenStopsIt(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        let fired = Flag()
        var token: AnyObject? = r.observe { fired.hit() }
        _ = token
        token = nil
        try await r.audit(action: "x", target: "y", outcome: "ok")
        try await Task.sleep(for: .milliseconds(600))
        #expect(fired.count == 0)
    }
}

@Suite struct JSONListTests {
    static let lists: [[String]] = [[], [""], ["+919876543210"], ["a,b", "c\",\"d", "back\\slash", "tab\tnew\nline", "名前 ☎︎", "\u{1}ctl", "\"", ","], ["x", "", "y"]]

    @Test(arguments: lists)
    func stringListsRoundTrip(_ items: [String]) {
        #expect(JSONList.strings(JSONList.encode(items)) == items)
    }

    @Test func intListsRoundTripAndForeignSpellingsAreRead() {
        #expect(JSONList.ints(JSONList.encode([1, 22, 333])) == [1, 22, 333])
        #expect(JSONList.ints("[]").isEmpty)
        #expect(JSONList.ints("[ 1, \"2\" ]") == [1, 2])
        #expect(JSONList.strings("[ \"a\" , \"b\" ]") == ["a", "b"])
        #expect(JSONList.strings("[\"]").isEmpty)
        #expect(JSONList.strings("not json").isEmpty)
    }
}
