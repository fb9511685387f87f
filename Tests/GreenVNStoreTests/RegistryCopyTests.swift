import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// `greenvn registry copy`: a laptop's SQLite registry into another registry of any backend.
@Suite struct RegistryCopyTests {
    /// A laptop registry with every kind of row: known (swapped, released), pending with its
    /// outbox entry, id unknown, audit entries and a call.
    static func laptop() async throws -> TestDB {
        let db = try TestDB(.sqlite)
        let api = FakeAPI()
        let ops = Operations(api: api, registry: db.registry)
        let a = try await ops.allocate(Fixture.request("copy-1", duration: "2h"))
        _ = try await ops.swap(a.id, SwapRequest())
        let b = try await ops.allocate(Fixture.request("copy-2", a: ["+919000000001"], b: ["+919000000002"]))
        _ = try await ops.deallocate(b.id)
        api.inject(.fail(.network("reset")), on: "create")
        _ = try? await ops.allocate(Fixture.request("copy-pending", a: ["+919000000003"], b: ["+919000000004"]))
        api.inject(.fail(.allocatedResponseLost(connectionId: "copy-lost")), on: "create")
        _ = try? await ops.allocate(Fixture.request("copy-lost", a: ["+919000000005"], b: ["+919000000006"]))
        let call = CallRecord(callSid: "call-1", greenvnId: a.id, connectionId: "copy-1", greenVN: "+918000000002",
                              from: "+919876543210", to: "+918765432109", status: "completed", startedAt: Fixture.t0,
                              talkSeconds: 42, receivedAt: Fixture.t0)
        try await db.registry.write { tx in _ = try tx.record(call) }
        return db
    }

    @Test(arguments: Backend.all) func copiesEverythingOnceAndARerunCopiesNothing(_ backend: Backend) async throws {
        let source = try await Self.laptop()
        let team = try TestDB(backend)
        let first = try await RegistryCopy.run(from: source.registry, to: team.registry)
        #expect(first.allocations == 4 && first.allocationsKept == 0 && first.conflicts.isEmpty)
        #expect(first.outbox == 1 && first.calls == 1)
        let (id1, id2) = (try #require(try source.registry.allocation(connectionId: "copy-1")).id,
                          try #require(try source.registry.allocation(connectionId: "copy-2")).id)
        #expect(first.history == (try source.registry.history(of: id1).count) + (try source.registry.history(of: id2).count))
        #expect(first.audit == (try source.registry.audit(for: nil, limit: 1_000).count))

        let now = Date()
        let all = ListQuery(state: .all, sort: .connectionId, descending: false)
        #expect(try team.registry.page(all, offset: 0, limit: 100, now: now) == (try source.registry.page(all, offset: 0, limit: 100, now: now)))
        for cid in ["copy-1", "copy-2"] {
            let id = try #require(try source.registry.allocation(connectionId: cid)).id
            #expect(try team.registry.history(of: id) == (try source.registry.history(of: id)))
            #expect(try team.registry.audit(for: id, limit: 50) == (try source.registry.audit(for: id, limit: 50)))
        }
        #expect(try team.registry.calls(of: id1, limit: 5).map(\.callSid) == ["call-1"])
        let entry = try #require(try team.registry.outbox().first)
        #expect(entry.connectionId == "copy-pending" && entry.owner == nil, "handed over with nobody sending it")

        let again = try await RegistryCopy.run(from: source.registry, to: team.registry)
        #expect(again.allocations == 0 && again.allocationsKept == 4)
        #expect(again.history == 0 && again.audit == 0 && again.calls == 0 && again.outbox == 0)
        #expect(try team.registry.count(ListQuery(state: .all), now: now) == 4)
        try checkCounts(team.registry)
    }

    /// The team changed an allocation after the laptop last saw it: the copy does not roll it back;
    /// and a connection_id the team gives another allocation stays the team's.
    @Test(arguments: Backend.all) func theDestinationsNewerRowsAndItsConnectionIdsWin(_ backend: Backend) async throws {
        let source = try await Self.laptop()
        let team = try TestDB(backend)
        _ = try await RegistryCopy.run(from: source.registry, to: team.registry)
        let id = try #require(try source.registry.allocation(connectionId: "copy-1")).id
        var newer = try #require(try team.registry.allocation(id: id)).allocation
        newer.greenVN = "+918077777777"
        try await team.registry.remember(newer, how: "swap", now: Date().addingTimeInterval(60))
        try await team.registry.remember(Fixture.allocation("team-own", cid: "copy-elsewhere", vn: "+918066666666"), how: "import")
        try await source.registry.remember(Fixture.allocation("laptop-own", cid: "copy-elsewhere", vn: "+918055555555"), how: "import")

        let report = try await RegistryCopy.run(from: source.registry, to: team.registry)
        #expect(try team.registry.allocation(id: id)?.allocation.greenVN == "+918077777777")
        #expect(report.conflicts.map(\.connectionId) == ["copy-elsewhere"])
        #expect(try team.registry.allocation(connectionId: "copy-elsewhere")?.id == "team-own")
    }
}
