import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing
@testable import GreenVNStore

/// The registry and Operations against the real simulator over loopback with the real client.
@Suite(.serialized) struct SimulatorTests {
    /// Retries quickly (the simulator's 429s ask for 1 s; the tests honour them but shortened).
    static let fastRetry = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 0.02)

    struct Rig {
        let db: TestDB
        let sim: Simulator
        let client: LeadAssistClient
        let registry: Registry
        let ops: Operations

        init(_ backend: Backend, faults: FaultRates = .none, pool: Int = 100) async throws {
            db = try TestDB(backend)
            var config = SimulatorConfig()
            config.numbersPerRegionAndType = pool
            config.faults = faults
            sim = try Simulator(config: config)
            try await sim.start()
            var settings = sim.settings
            settings.timeoutSeconds = 5
            client = LeadAssistClient(settings: settings, retry: SimulatorTests.fastRetry)
            registry = db.registry
            ops = Operations(api: client, registry: registry)
        }

        /// A second "process": its own registry connection and Operations on the same file.
        func restartedOperations() throws -> Operations {
            Operations(api: client, registry: try db.another())
        }

        func simByConnection() throws -> [String: [Allocation]] {
            Dictionary(grouping: try sim.allAllocations(), by: \.connectionId)
        }
    }

    static func csv(_ n: Int, prefix: String) -> Data {
        var lines = [BulkParseTests.header + ",duration"]
        for i in 0..<n {
            lines.append("\(prefix)-\(i),+9198\(String(format: "%08d", i)),+9188\(String(format: "%08d", i));+9177\(String(format: "%08d", i)),\(i % 2 == 0 ? "twoway" : "oneway"),\(i % 3 == 0 ? "1h" : "")")
        }
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    @Test(arguments: Backend.all) func aLostCreateAnswerIsRetriedAndNeverAllocatesTwice(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        rig.sim.inject(.dropAfterActing, on: .create)
        await #expect(throws: GreenVNError.allocatedResponseLost(connectionId: "lost-1")) {
            try await rig.ops.allocate(Fixture.request("lost-1", duration: "30m"))
        }
        let held = try rig.simByConnection()["lost-1"] ?? []
        #expect(held.count == 1, "allocated exactly once")
        let row = try #require(try rig.registry.allocation(connectionId: "lost-1"))
        #expect(row.status == .idUnknown)
        #expect(try rig.registry.outbox().isEmpty)

        // the way out: `greenvn import ID`
        let real = try #require(held.first)
        let imported = try await rig.ops.importAllocation(real.greenvnId)
        #expect(imported.allocation == real)
        #expect(imported.durationText == "30m")
        #expect(try rig.registry.allocation(id: row.id) == nil)
        await rig.sim.stop()
    }

    @Test(arguments: Backend.all) func aProcessKilledAfterSendingIsSettledByTheNextOneAsIdUnknown(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        let r = Fixture.request("killed-after-send")
        // the dying process: entry written, request reached Lead Assist, then nothing recorded
        let dead = rig.db.deadOwner()
        try await rig.registry.plant { tx in
            try tx.insertOutbox(r, now: Date())
            try tx.lease(r.connectionId, to: dead)
        }
        _ = try await rig.client.create(r)
        // the next command
        let next = try rig.restartedOperations()
        let report = await next.reconcile()
        #expect(report.idUnknown == ["killed-after-send"])
        #expect(report.confirmed.isEmpty && report.stillPending == 0)
        #expect(try rig.simByConnection()["killed-after-send"]?.count == 1)
        #expect(try rig.registry.allocation(connectionId: "killed-after-send")?.status == .idUnknown)
        #expect(try rig.registry.outbox().isEmpty)
        await rig.sim.stop()
    }

    @Test(arguments: Backend.all) func aProcessKilledBeforeSendingIsSentOnceByTheNextOne(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        let r = Fixture.request("killed-before-send", duration: "2h")
        let dead = rig.db.deadOwner()
        try await rig.registry.plant { tx in
            try tx.insertOutbox(r, now: Date())
            try tx.lease(r.connectionId, to: dead)
        }
        #expect(try rig.registry.allocation(connectionId: "killed-before-send")?.status == .pending)
        let next = try rig.restartedOperations()
        let report = await next.reconcile()
        #expect(report.confirmed.map(\.connectionId) == ["killed-before-send"])
        let held = try #require(try rig.simByConnection()["killed-before-send"])
        #expect(held.count == 1)
        let row = try #require(try rig.registry.allocation(connectionId: "killed-before-send"))
        #expect(row.status == .known && row.allocation == held[0] && row.durationText == "2h")
        #expect(rig.sim.requestCount(.create) == 1)
        await rig.sim.stop()
    }

    @Test(arguments: Backend.all) func everyOperationAgreesWithTheSimulator(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        let s = try await rig.ops.allocate(Fixture.request("ops-1", preferences: Preferences(region: .KA)))
        let swapped = try await rig.ops.swap(s.id, SwapRequest(preferences: Preferences(region: .DL)))
        #expect(swapped.allocation.greenVN != s.allocation.greenVN)
        let updated = try await rig.ops.updateParties(s.id, PartyUpdate(bparty: Party.Change(numbers: ["+917012345678"])))
        #expect(updated.allocation.bparty.numbers == ["+917012345678"])
        let refreshed = try await rig.ops.refresh(s.id)
        let gone = try await rig.ops.deallocate(s.id)
        #expect(gone.allocation.state == .vault)
        let simNow = try #require(try rig.sim.allAllocations().first { $0.greenvnId == s.id })
        #expect(gone.allocation == simNow)
        #expect(refreshed.allocation.greenVN == swapped.allocation.greenVN)
        #expect(try rig.registry.history(of: s.id).map(\.how) == ["allocate", "swap (preferences)", "released (deallocate)"])
        // a second DELETE: code 22 → vault (already), audited
        await #expect(throws: GreenVNError.self) { try await rig.ops.deallocate(s.id) }
        #expect(try rig.registry.audit(for: s.id, limit: 1).first?.action == "deallocate")
        await rig.sim.stop()
    }

    @Test(arguments: Backend.all) func bulkUnderA429StormAndFaultsLosesNothingAndDoublesNothing(_ backend: Backend) async throws {
        let rig = try await Rig(backend, faults: FaultRates(errorRate: 0.05, throttleRate: 0.3, malformedRate: 0.03, emptyRate: 0.02, dropRate: 0.06))
        rig.sim.inject(.htmlAfterActing, on: .create, count: 3)
        let n = 300
        let data = Self.csv(n, prefix: "storm")
        let progress = Flag()
        let report = await BulkImport.run(csv: data, operations: rig.ops, concurrency: 16) { _, _ in progress.hit() }
        #expect(progress.count == n)
        #expect(report.invalid.isEmpty)
        #expect(report.refused.isEmpty, "\(report.refused.prefix(3))")
        #expect(report.processed == n)
        #expect(report.allocated > n / 2)

        // settle what is pending (as the next commands would), then import the id_unknown ones
        for _ in 0..<30 {
            if try rig.registry.outbox().isEmpty { break }
            _ = await rig.ops.reconcile()
        }
        #expect(try rig.registry.outbox().isEmpty)
        let simHeld = try rig.simByConnection()
        #expect(simHeld.values.allSatisfy { $0.count == 1 }, "a connection_id allocated twice")
        #expect(simHeld.count == n, "every row allocated")
        let unknown = try rig.registry.page(ListQuery(state: .all, filter: "pending:"), offset: 0, limit: n, now: Date())
        #expect(unknown.allSatisfy { $0.status == .idUnknown })
        rig.sim.clearFaults()
        for row in unknown {
            let real = try #require(simHeld[row.connectionId]?.first)
            for _ in 0..<10 { if (try? await rig.ops.importAllocation(real.greenvnId)) != nil { break } }
        }
        // the registry equals the simulator: nothing lost, nothing doubled
        let mine = try rig.registry.page(ListQuery(state: .all, sort: .connectionId, descending: false), offset: 0, limit: 10 * n, now: Date())
        #expect(mine.allSatisfy { $0.status == .known })
        let theirs = try rig.sim.allAllocations().sorted { $0.connectionId < $1.connectionId }
        #expect(mine.map(\.allocation) == theirs)

        // a rerun of the same file allocates nothing
        let creates = rig.sim.requestCount(.create)
        let again = await BulkImport.run(csv: data, operations: rig.ops, concurrency: 16)
        #expect(again.alreadyKnown == n && again.allocated == 0)
        #expect(rig.sim.requestCount(.create) == creates)
        await rig.sim.stop()
    }

    @Test(arguments: Backend.all) func bulkRerunAfterAnInterruptedRunSendsOnlyWhatIsMissing(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        let data = Self.csv(40, prefix: "half")
        let (rows, _) = BulkImport.parse(csv: data)
        let first = await BulkImport.run(rows: Array(rows.prefix(25)), operations: rig.ops, concurrency: 4)
        #expect(first.allocated == 25)
        let second = await BulkImport.run(csv: data, operations: rig.ops, concurrency: 8)
        #expect(second.alreadyKnown == 25 && second.allocated == 15)
        #expect(rig.sim.requestCount(.create) == 40)
        #expect(try rig.registry.count(ListQuery(state: .all), now: Date()) == 40)
        await rig.sim.stop()
    }
}
