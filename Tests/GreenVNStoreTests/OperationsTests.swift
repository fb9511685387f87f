import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// Operations against an in-memory fake Lead Assist (the simulator tests cover the real wire).
@Suite struct OperationsTests {
    /// A registry of `backend`, a fake Lead Assist and the operations between them.
    struct Rig {
        let db: TestDB
        let api = FakeAPI()
        let ops: Operations
        var registry: Registry { db.registry }

        init(_ backend: Backend) throws {
            db = try TestDB(backend)
            ops = Operations(api: api, registry: db.registry)
        }
    }

    @Test(arguments: Backend.all) func allocateRecordsTheAnswerHistoryAndAuditAndEmptiesTheOutbox(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let r = Fixture.request("order-1", duration: "2h", preferences: Preferences(region: .KA))
        let s = try await ops.allocate(r)
        #expect(s.status == .known)
        #expect(s.allocation.connectionId == "order-1")
        #expect(s.preferences.region == .KA)
        #expect(s.durationText == "2h")
        #expect(s.expiresAt == s.createdAt.addingTimeInterval(7_200))
        #expect(try registry.allocation(id: s.id) == s)
        #expect(try registry.outbox().isEmpty)
        #expect(try registry.history(of: s.id).map(\.how) == ["allocate"])
        let audit = try registry.audit(for: s.id, limit: 10)
        #expect(audit.map(\.action) == ["allocate"])
        #expect(audit.first?.outcome == "ok")
        #expect(try registry.counts(now: Date()).active == 1)
    }

    /// The pending row written before the send becomes the allocation (one row, found by its VN,
    /// counted once, no trace of the placeholder in the search index or the tallies).
    @Test(arguments: Backend.all) func thePendingRowBecomesTheAllocation(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let s = try await rig.ops.allocate(Fixture.request("order-placeholder", duration: "30m"))
        let registry = rig.registry
        #expect(try registry.allocation(id: StoredAllocation.placeholderId("order-placeholder")) == nil)
        #expect(try registry.allocation(connectionId: "order-placeholder") == s)
        let counts = try registry.counts(now: Date())
        #expect(counts.active == 1 && counts.pending == 0 && counts.vault == 0)
        #expect(try registry.page(ListQuery(state: .all, filter: s.allocation.greenVN), offset: 0, limit: 10).map(\.id) == [s.id])
        #expect(try registry.count(ListQuery(state: .all, filter: "pending:")) == 0)
        #expect(try registry.count(ListQuery(state: .all, filter: "order-placeholder")) == 1)
        #expect(try registry.count(ListQuery(state: .expired), now: Date().addingTimeInterval(3_600)) == 1)
    }

    @Test(arguments: Backend.all) func theOutboxEntryIsWrittenBeforeTheRequestIsSent(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.hang, on: "create")
        let task = Task { try await ops.allocate(Fixture.request("order-slow")) }
        #expect(await eventually(60) { api.callCount("create") == 1 })
        // the request is on its way: the entry and a pending row are already on disk
        let other = try rig.db.another()
        #expect(try other.outbox().map(\.connectionId) == ["order-slow"])
        let pending = try #require(try other.allocation(connectionId: "order-slow"))
        #expect(pending.status == .pending)
        #expect(pending.id == "pending:order-slow")
        #expect(try other.counts(now: Date()).pending == 1)
        #expect(try other.page(ListQuery(), offset: 0, limit: 10).map(\.id) == ["pending:order-slow"])
        // a second allocate of the same connection_id while the first is in flight is refused locally
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-slow")) }
        #expect(api.callCount("create") == 1)
        task.cancel()
        _ = try? await task.value
        // a cancelled send is an unknown outcome: the entry stays for reconcile
        #expect(try other.outbox().count == 1)
    }

    @Test(arguments: Backend.all) func unknownOutcomeKeepsAPendingRowThatReconcileConfirms(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.fail(.network("connection reset")), on: "create")
        await #expect(throws: GreenVNError.network("connection reset")) { try await ops.allocate(Fixture.request("order-2")) }
        let entry = try #require(try registry.outbox().first)
        #expect(entry.connectionId == "order-2")
        #expect(entry.owner == nil)                               // lease released
        #expect(entry.lastError?.contains("connection reset") == true)
        #expect(entry.request == Fixture.request("order-2"))
        #expect(try registry.allocation(connectionId: "order-2")?.status == .pending)
        #expect(api.all.isEmpty)

        // a new process (new registry, new operations) reconciles
        let ops2 = Operations(api: api, registry: try rig.db.another())
        let report = await ops2.reconcile()
        #expect(report.confirmed.map(\.connectionId) == ["order-2"])
        #expect(report.stillPending == 0 && report.idUnknown.isEmpty && report.refused.isEmpty)
        #expect(try registry.outbox().isEmpty)
        let s = try #require(try registry.allocation(connectionId: "order-2"))
        #expect(s.status == .known)
        #expect(s.id == api.all.first?.greenvnId)
        #expect(try registry.allocation(id: "pending:order-2") == nil)
        #expect(api.all.count == 1)
        #expect(await ops2.reconcile().isEmpty)
    }

    @Test(arguments: Backend.all) func aCreateConfirmedLaterIsDatedFromTheSendThatLanded(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let t0 = Fixture.t0
        ops.now = { t0 }
        api.inject(.fail(.network("down")), on: "create")
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("late-1", duration: "1h")) }
        #expect(try registry.allocation(connectionId: "late-1")?.createdAt == t0)
        let later = Operations(api: api, registry: registry)
        later.now = { t0.addingTimeInterval(86_400) }
        let s = try #require(await later.reconcile().confirmed.first)
        #expect(s.createdAt == t0.addingTimeInterval(86_400))
        #expect(s.expiresAt == t0.addingTimeInterval(86_400 + 3_600))
        #expect(s.effectiveState(now: t0.addingTimeInterval(86_400 + 60)) == .active)
    }

    @Test(arguments: Backend.all) func aCreateThatLandedButWhoseAnswerWasLostBecomesIdUnknownOnReconcile(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.actThenFail(.timeout(seconds: 15)), on: "create")
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-3", duration: "1h")) }
        #expect(api.all.count == 1)
        let report = await ops.reconcile()
        #expect(report.idUnknown == ["order-3"])
        #expect(api.all.count == 1, "never allocated twice")
        let row = try #require(try registry.allocation(connectionId: "order-3"))
        #expect(row.status == .idUnknown)
        #expect(row.id == "pending:order-3")
        #expect(row.durationText == "1h")
        #expect(try registry.outbox().isEmpty)
        #expect(try registry.counts(now: Date()).pending == 1)

        // the way out: import the id found elsewhere; it replaces the id_unknown row
        let real = try #require(api.all.first)
        let imported = try await ops.importAllocation(real.greenvnId)
        #expect(imported.status == .known)
        #expect(imported.durationText == "1h")                       // request data carried over
        #expect(imported.expiresAt == row.expiresAt)
        #expect(imported.createdAt == row.createdAt)
        #expect(try registry.allocation(id: "pending:order-3") == nil)
        #expect(try registry.allocation(connectionId: "order-3")?.id == real.greenvnId)
        #expect(try registry.history(of: real.greenvnId).map(\.how) == ["import"])
        #expect(try registry.counts(now: Date()).pending == 0)
        try checkCounts(registry)
    }

    @Test(arguments: Backend.all) func allocatedResponseLostIsRecordedAsIdUnknownAndRethrown(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.actThenFail(.allocatedResponseLost(connectionId: "order-4")), on: "create")
        await #expect(throws: GreenVNError.allocatedResponseLost(connectionId: "order-4")) {
            try await ops.allocate(Fixture.request("order-4"))
        }
        #expect(try registry.allocation(connectionId: "order-4")?.status == .idUnknown)
        #expect(try registry.outbox().isEmpty)
        let audit = try registry.audit(for: "order-4", limit: 5)
        #expect(audit.first?.outcome.contains("Allocated, response lost") == true)
    }

    @Test(arguments: Backend.all) func aRefusalRemovesTheEntryAndIsAudited(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.fail(refusal(4, 452, "no free GreenVN")), on: "create")
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-5")) }
        #expect(try registry.outbox().isEmpty)
        #expect(try registry.allocation(connectionId: "order-5") == nil)
        let entry = try #require(try registry.audit(for: "order-5", limit: 5).first)
        #expect(entry.action == "allocate")
        #expect(entry.outcome.contains("no free GreenVN"))
        try checkCounts(registry)
    }

    /// Repeating a create the registry holds (same connection_id, same parties) answers with the
    /// known allocation and sends nothing; other parties under that connection_id are refused.
    @Test(arguments: Backend.all) func aRepeatedCreateAnswersWithTheKnownAllocation(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let s = try await ops.allocate(Fixture.request("order-6"))
        #expect(try await ops.allocate(Fixture.request("order-6")) == s)
        #expect(api.callCount("create") == 1, "nothing sent the second time")
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-6", b: ["+917000000042"])) }
        #expect(api.callCount("create") == 1)
        #expect(try registry.allocation(connectionId: "order-6") == s)
        #expect(try registry.outbox().isEmpty)
        #expect(api.all.count == 1)
    }

    /// A create whose earlier answer was lost (id unknown): repeating it sends nothing and says so.
    @Test(arguments: Backend.all) func aRepeatedCreateOfAnIdUnknownRowSaysTheAnswerWasLost(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops) = (rig.api, rig.ops)
        api.inject(.fail(.allocatedResponseLost(connectionId: "order-lost-once")), on: "create")
        await #expect(throws: GreenVNError.allocatedResponseLost(connectionId: "order-lost-once")) { try await ops.allocate(Fixture.request("order-lost-once")) }
        let calls = api.callCount("create")
        await #expect(throws: GreenVNError.allocatedResponseLost(connectionId: "order-lost-once")) { try await ops.allocate(Fixture.request("order-lost-once")) }
        #expect(api.callCount("create") == calls)
    }

    @Test(arguments: Backend.all) func reAllocatingAPendingConnectionIdRetriesItAndADifferentRequestIsRefused(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.actThenFail(.network("reset")), on: "create")
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-7")) }
        // other fields, same connection_id: refused locally, nothing sent
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-7", usage: .oneway)) }
        #expect(api.callCount("create") == 1)
        // the same request again: a retry; the API's code 18 means the first attempt landed
        await #expect(throws: GreenVNError.allocatedResponseLost(connectionId: "order-7")) {
            try await ops.allocate(Fixture.request("order-7"))
        }
        #expect(api.all.count == 1)
        #expect(try registry.allocation(connectionId: "order-7")?.status == .idUnknown)
    }

    @Test(arguments: Backend.all) func reconcileLeavesEntriesLeasedByALiveProcessAndTakesOverDeadOnes(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let live = Fixture.request("leased-live")
        let dead = Fixture.request("leased-dead")
        let (liveOwner, deadOwner) = (try rig.db.liveOtherOwner(), rig.db.deadOwner())
        try await registry.plant { tx in
            try tx.insertOutbox(live, now: Date())
            try tx.insertOutbox(dead, now: Date())
            try tx.lease("leased-live", to: liveOwner)
            try tx.lease("leased-dead", to: deadOwner)
        }
        let report = await ops.reconcile()
        #expect(report.confirmed.map(\.connectionId) == ["leased-dead"])
        #expect(report.stillPending == 1)
        #expect(try registry.outbox().map(\.connectionId) == ["leased-live"])
        // an old lease is taken over even if its owner still runs
        try await registry.plant { tx in
            try tx.sql("UPDATE outbox SET sent_at = ?", [Millis.from(Date().addingTimeInterval(-3_600)).sqlValue])
        }
        #expect(await ops.reconcile().confirmed.map(\.connectionId) == ["leased-live"])
        #expect(api.all.count == 2)
    }

    @Test(arguments: Backend.all) func reconcileReportsRefusalsAndDropsThem(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        try await registry.plant { tx in
            try tx.insertOutbox(Fixture.request("bad-one"), now: Date())
            try tx.lease("bad-one", to: nil)
        }
        api.inject(.fail(refusal(15, 403, "region not supported")), on: "create")
        let report = await ops.reconcile()
        #expect(report.refused.map(\.connectionId) == ["bad-one"])
        #expect(try registry.outbox().isEmpty)
        #expect(try registry.allocation(connectionId: "bad-one") == nil)
    }

    @Test(arguments: Backend.all) func twoReconcilersSendEachEntryOnce(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        for i in 0..<20 {
            try await registry.plant { tx in
                try tx.insertOutbox(Fixture.request("twin-\(i)"), now: Date())
                try tx.lease("twin-\(i)", to: nil)
            }
        }
        let other = Operations(api: api, registry: try rig.db.another())
        async let a = ops.reconcile()
        async let b = other.reconcile()
        let (ra, rb) = await (a, b)
        #expect(ra.confirmed.count + rb.confirmed.count == 20)
        #expect(ra.idUnknown.isEmpty && rb.idUnknown.isEmpty)
        #expect(api.callCount("create") == 20)
        #expect(try registry.count(ListQuery(state: .all), now: Date()) == 20)
    }

    @Test(arguments: Backend.all) func swapRefreshUpdateDeallocateRememberAndAudit(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let s = try await ops.allocate(Fixture.request("order-8"))
        let swapped = try await ops.swap(s.id, SwapRequest())
        #expect(swapped.allocation.greenVN != s.allocation.greenVN)
        #expect(swapped.createdAt == s.createdAt && swapped.expiresAt == s.expiresAt)
        let preferred = try await ops.swap(s.id, SwapRequest(strictness: true, preferences: Preferences(greenvn: "+918099999999")))
        #expect(preferred.allocation.greenVN == "+918099999999")
        let refreshed = try await ops.refresh(s.id)
        #expect(refreshed.allocation.greenVN == "+918099999999")
        #expect(refreshed.lastSyncedAt != nil)
        let updated = try await ops.updateParties(s.id, PartyUpdate(bparty: Party.Change(numbers: ["+917000000001"])))
        #expect(updated.allocation.bparty.numbers == ["+917000000001"])
        let gone = try await ops.deallocate(s.id)
        #expect(gone.allocation.state == .vault)
        #expect(gone.effectiveState(now: Date()) == .vault)
        #expect(try registry.history(of: s.id).map(\.how) == ["allocate", "swap", "swap (preferences)", "released (deallocate)"])
        #expect(try registry.history(of: s.id).last.map { $0.oldVN == "+918099999999" && $0.isRelease } == true)
        let row = try #require(try registry.allocation(id: s.id))
        #expect(row.releasedBy == Identity.described && row.releasedAt != nil, "released when and by whom")
        #expect(try registry.audit(for: s.id, limit: 20).map(\.action)
                == ["deallocate", "update parties", "refresh", "swap (preferences)", "swap", "allocate"])
        #expect(try registry.counts(now: Date()).vault == 1)
        try checkCounts(registry)
    }

    @Test(arguments: Backend.all) func aChangeWhoseEveryAnswerWasLostIsSettledWithAGet(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let s = try await ops.allocate(Fixture.request("order-lost"))
        // acted, answers lost: the GET shows it done → a success
        api.inject(.actThenFail(.network("reset")), on: "updateParties")
        let updated = try await ops.updateParties(s.id, PartyUpdate(bparty: Party.Change(numbers: ["+917000000009"]), usage: .oneway))
        #expect(updated.allocation.bparty.numbers == ["+917000000009"] && updated.allocation.usage == .oneway)
        #expect(try registry.audit(for: s.id, limit: 1).first?.outcome.hasPrefix("ok") == true)
        api.inject(.actThenFail(.outcomeUnknown("no answer")), on: "swap")
        let swapped = try await ops.swap(s.id, SwapRequest())
        #expect(swapped.allocation.greenVN != s.allocation.greenVN)
        #expect(try registry.history(of: s.id).map(\.how) == ["allocate", "swap"])
        // not acted: the GET shows it not done → the error, and the registry as the GET showed it
        api.inject(.fail(.timeout(seconds: 15)), on: "deallocate")
        await #expect(throws: GreenVNError.notDone(what: "the deallocation")) { try await ops.deallocate(s.id) }
        #expect(try registry.allocation(id: s.id)?.allocation.state == .active)
        // audited as what was tried, not as a refresh
        let tried = try #require(try registry.audit(for: s.id, limit: 1).first)
        #expect(tried.action == "deallocate" && tried.outcome.hasPrefix("not done"))
        api.inject(.actThenFail(.badResponse(httpStatus: 502, snippet: "<html>")), on: "deallocate")
        #expect(try await ops.deallocate(s.id).allocation.state == .vault)
        #expect(api.all.first?.state == .vault)
        // a refusal is not settled by a GET
        api.inject(.fail(refusal(20, 404, "mapping does not exist")), on: "updateParties")
        let gets = api.callCount("details")
        await #expect(throws: GreenVNError.self) { try await ops.updateParties(s.id, PartyUpdate(usage: .twoway)) }
        #expect(api.callCount("details") == gets)
    }

    @Test(arguments: Backend.all) func code22MarksTheRowVaultAndCode1KeepsIt(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        let s = try await ops.allocate(Fixture.request("order-9"))
        api.inject(.fail(refusal(1, 404, "GreenVN not found")), on: "details")
        await #expect(throws: GreenVNError.self) { try await ops.refresh(s.id) }
        #expect(try registry.allocation(id: s.id)?.allocation.state == .active, "kept: the registry never loses a row")
        #expect(try registry.audit(for: s.id, limit: 1).first?.outcome.contains("code 1") == true)

        api.inject(.fail(refusal(22, 410, "GreenVN already deleted")), on: "deallocate")
        await #expect(throws: GreenVNError.self) { try await ops.deallocate(s.id) }
        #expect(try registry.allocation(id: s.id)?.allocation.state == .vault)
        #expect(try registry.audit(for: s.id, limit: 1).first?.outcome.contains("code 22") == true)
        try checkCounts(registry)
    }

    @Test(arguments: Backend.all) func placeholderIdsAreNotSentToTheAPI(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        await #expect(throws: GreenVNError.self) { try await ops.swap("pending:order-x", SwapRequest()) }
        await #expect(throws: GreenVNError.self) { try await ops.refresh("pending:order-x") }
        #expect(api.callCount("swap") + api.callCount("details") == 0)
    }

    @Test(arguments: Backend.all) func refreshOfAnIdWeDidNotKnowRemembersIt(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.seed(Fixture.allocation("made-elsewhere", cid: "ext-1", vn: "+918011111111"))
        let s = try await ops.refresh("made-elsewhere")
        #expect(try registry.allocation(id: "made-elsewhere") == s)
        #expect(s.expiresAt == nil)
    }

    @Test(arguments: Backend.all) func importOfAPendingConnectionIdSettlesItsOutboxEntry(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.actThenFail(.network("reset")), on: "create")
        await #expect(throws: GreenVNError.self) { try await ops.allocate(Fixture.request("order-10")) }
        #expect(try registry.outbox().count == 1)
        let real = try #require(api.all.first)
        _ = try await ops.importAllocation(real.greenvnId)
        #expect(try registry.outbox().isEmpty)
        #expect(await ops.reconcile().isEmpty)
        #expect(api.callCount("create") == 1)
        try checkCounts(registry)
    }

    @Test(arguments: Backend.all) func auditNeverHoldsTheCredentials(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let (api, ops, registry) = (rig.api, rig.ops, rig.registry)
        api.inject(.fail(refusal(7, 401, "authentication failed")), on: "create")
        _ = try? await ops.allocate(Fixture.request("order-11"))
        let text = try registry.audit(for: nil, limit: 1_000).map { $0.operatorName + $0.host + $0.action + $0.target + $0.outcome }.joined()
        #expect(!text.isEmpty)
        #expect(!text.contains("sim-token") && !text.contains("Basic "))
    }
}
