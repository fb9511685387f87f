import Foundation
import GRDB
import GreenVNKit
import GreenVNSimulator
import Testing
@testable import GreenVNStore

/// Bulk's pipeline: outbox entries written a batch per durable transaction before their creates
/// are sent, answers recorded a batch per transaction. A process killed between those steps loses
/// nothing and doubles nothing; a row whose write fails does not take its batch down with it.
@Suite(.serialized) struct BulkBatchTests {
    typealias Rig = SimulatorTests.Rig

    static func pending(_ rows: ArraySlice<(line: Int, request: AllocationRequest)>) -> [BulkImport.Pending] {
        rows.enumerated().map { BulkImport.Pending(index: $0.offset, request: $0.element.request) }
    }

    /// The process that wrote `rows` to the outbox dies (kill -9): its leases name an owner
    /// that is gone, as the next process finds them (SQLite: a dead pid; PostgreSQL: a presence
    /// lock nobody holds).
    static func dies(_ rows: ArraySlice<(line: Int, request: AllocationRequest)>, _ rig: Rig) async throws {
        let dead = rig.db.deadOwner()
        try await rig.registry.plant { tx in
            for r in rows { try tx.lease(r.request.connectionId, to: dead) }
        }
    }

    @Test(arguments: Backend.all) func aCrashAfterTheOutboxBatchBeforeItsSendsLosesNothingAndDoublesNothing(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        let data = SimulatorTests.csv(40, prefix: "crash-w")
        let (rows, _) = BulkImport.parse(csv: data)
        // The first process wrote a batch of 30 to the outbox and died before sending any.
        let written = await BulkImport.write(Self.pending(rows.prefix(30)), operations: rig.ops)
        #expect(written.allSatisfy { if case .success(.new) = $0.result { true } else { false } })
        #expect(try rig.registry.outbox().count == 30)
        #expect(rig.sim.requestCount(.create) == 0)
        try await Self.dies(rows.prefix(30), rig)

        // The rerun (another process on the same registry) takes the dead batch over and sends each once.
        let again = await BulkImport.run(csv: data, operations: try rig.restartedOperations(), concurrency: 8)
        #expect(again.allocated == 40 && again.processed == 40, "\(again)")
        #expect(try rig.registry.outbox().isEmpty)
        #expect(rig.sim.requestCount(.create) == 40)
        let held = try rig.simByConnection()
        #expect(held.count == 40 && held.values.allSatisfy { $0.count == 1 })
        #expect(try rig.registry.count(ListQuery(state: .all), now: Date()) == 40)
        await rig.sim.stop()
    }

    @Test(arguments: Backend.all) func aCrashAfterTheSendsBeforeTheirAnswersAreRecordedDoublesNothing(_ backend: Backend) async throws {
        let rig = try await Rig(backend)
        let data = SimulatorTests.csv(30, prefix: "crash-s")
        let (rows, _) = BulkImport.parse(csv: data)
        // The first process wrote 20, sent 12 of them, and died before recording any answer.
        let written = await BulkImport.write(Self.pending(rows.prefix(20)), operations: rig.ops)
        #expect(written.count == 20)
        for w in written.prefix(12) {
            guard case .answer = await rig.ops.send(rows[w.index].request, body: w.body) else {
                Issue.record("the simulator answered \(rows[w.index].request.connectionId)")
                continue
            }
        }
        #expect(try rig.sim.allAllocations().count == 12)
        try await Self.dies(rows.prefix(20), rig)

        // The rerun re-sends the 20 outbox entries as retries: the 12 that landed hear code 18
        // and are kept as allocated-id-unknown, never allocated twice; the rest are allocated.
        let again = await BulkImport.run(csv: data, operations: try rig.restartedOperations(), concurrency: 8)
        #expect(again.idUnknown.count == 12 && again.allocated == 18 && again.refused.isEmpty && again.pending.isEmpty, "\(again)")
        #expect(Set(again.idUnknown.map(\.connectionId)) == Set(written.prefix(12).map { rows[$0.index].request.connectionId }))
        #expect(try rig.registry.outbox().isEmpty)
        let held = try rig.simByConnection()
        #expect(held.count == 30 && held.values.allSatisfy { $0.count == 1 }, "one allocation per row")
        await rig.sim.stop()
    }

    /// One row's outbox write fails and another's answer cannot be recorded: the rest of both
    /// batches settle; the first is never sent, the second is reported with its greenvn_id.
    @Test func aBatchWithAFailingRowSettlesTheOthers() async throws {
        let rig = try await Rig(.sqlite)
        let registry = try #require(rig.registry as? SQLiteRegistry)
        try await registry.writer.write { db in
            try db.execute(sql: """
                CREATE TRIGGER test_outbox_fails BEFORE INSERT ON outbox WHEN NEW.connection_id = 'fail-3'
                BEGIN SELECT RAISE(ABORT, 'disk says no'); END;
                CREATE TRIGGER test_answer_fails BEFORE INSERT ON audit WHEN NEW.connection_id = 'fail-7' AND NEW.action = 'allocate'
                BEGIN SELECT RAISE(ABORT, 'disk says no'); END;
                """)
        }
        let data = SimulatorTests.csv(20, prefix: "fail")
        let progress = Flag()
        let report = await BulkImport.run(csv: data, operations: rig.ops, concurrency: 8) { _, _ in progress.hit() }
        #expect(progress.count == 20)
        #expect(report.allocated == 18, "\(report)")
        #expect(report.refused.map(\.connectionId) == ["fail-3", "fail-7"], "\(report.refused)")
        #expect(report.refused.first?.message.contains("nothing was sent") == true, "\(report.refused)")
        #expect(report.refused.last?.message.contains("greenvn import") == true, "\(report.refused)")
        let held = try rig.simByConnection()
        #expect(held["fail-3"] == nil, "a create that could not be written is never sent")
        #expect(held.count == 19 && held.values.allSatisfy { $0.count == 1 })
        for i in 0..<20 where i != 3 && i != 7 {
            #expect(try rig.registry.allocation(connectionId: "fail-\(i)")?.status == .known, "fail-\(i)")
        }
        // The import's longer checkpoint interval ends with it.
        let pages = try await registry.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(pages == SQLiteRegistry.walCheckpointPages)
        await rig.sim.stop()
    }
}
