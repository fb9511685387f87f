import Foundation
import GRDB
import GreenVNKit
import Testing
@testable import GreenVNStore

/// What only the SQLite file backend does: the file, WAL, migrations and the open lock.
@Suite struct SQLiteRegistryTests {
    @Test func migratesFromEmptyIntoWALAndReopens() throws {
        let dir = TempDir()
        let path = dir.path + "/nested/deeper/registry.sqlite"      // parent directories are created
        do {
            let r = try SQLiteRegistry(path: path)
            #expect(r.path == path)
            let (tables, mode, migrations) = try r.writer.read { db in
                (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                 try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                 try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            }
            for t in ["allocation", "audit", "call_event", "change", "outbox", "vn_history"] { #expect(tables.contains(t), "missing table \(t)") }
            #expect(mode == "wal")
            #expect(migrations == ["v1", "v2"])
            try blocking { try await r.remember(Fixture.allocation("id-1", cid: "c-1", vn: "+918000000001"), how: "import") }
        }
        let again = try SQLiteRegistry(path: path)
        #expect(try again.allocation(id: "id-1")?.allocation.greenVN == "+918000000001")
        let indexes = try again.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index'") }
        for i in ["allocation_state_created", "allocation_green_vn", "allocation_state_expires", "allocation_created"] {
            #expect(indexes.contains(i), "missing index \(i)")
        }
    }

    /// Several processes (here threads, each with its own descriptor: flock treats them alike)
    /// opening one new registry at once: every one opens it, the schema is made once.
    @Test func openingOneNewRegistryFromManyPlacesAtOnce() throws {
        for round in 0..<5 {
            let dir = TempDir()
            let path = dir.path + "/registry.sqlite"
            let lock = NSLock()
            nonisolated(unsafe) var failures: [String] = []
            DispatchQueue.concurrentPerform(iterations: 6) { i in
                do {
                    let r = try SQLiteRegistry(path: path)
                    try blocking { try await r.remember(Fixture.allocation("id-\(i)", cid: "c-\(i)", vn: "+91800000000\(i)"), how: "import") }
                } catch {
                    lock.withLock { failures.append("round \(round), opener \(i): \(error)") }
                }
            }
            #expect(failures.isEmpty, "\(failures)")
            #expect(try SQLiteRegistry(path: path).count(ListQuery(state: .all)) == 6)
        }
    }

    /// A CLI command's registry (one connection, no reader) makes the same file, in WAL mode and
    /// stamped, and a console's (a pool) opens it, and the other way round.
    @Test func oneConnectionAndPoolShareAFile() throws {
        let dir = TempDir()
        let path = dir.path + "/registry.sqlite"
        do {
            let one = try SQLiteRegistry(path: path, connections: .single)
            try blocking { try await one.remember(Fixture.allocation("id-1", cid: "c-1", vn: "+918000000001"), how: "import") }
            let (mode, stamp) = try one.writer.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA user_version"))
            }
            #expect(mode == "wal")
            #expect(stamp == Schema.version)
            #expect(Schema.version == Schema.migrator.migrations.count * 100 + Schema.derivedVersion, "bump Schema.version with a migration")
        }
        let pool = try SQLiteRegistry(path: path, connections: .pool)
        #expect(try pool.allocation(id: "id-1")?.allocation.greenVN == "+918000000001")
        try blocking { try await pool.remember(Fixture.allocation("id-2", cid: "c-2", vn: "+918000000002"), how: "import") }
        let again = try SQLiteRegistry(path: path, connections: .single)
        #expect(try again.count(ListQuery(state: .all)) == 2)
    }

    /// A stamp from an older schema (or none: a file made before the stamp) runs the migrator.
    @Test func anOldStampMigrates() throws {
        let dir = TempDir()
        do {
            let queue = try DatabaseQueue(path: dir.registryPath)
            try Schema.migrator.migrate(queue, upTo: "v1")
            try queue.write { try $0.execute(sql: "PRAGMA user_version = 101") }
        }
        let r = try SQLiteRegistry(path: dir.registryPath, connections: .single)
        let (migrations, stamp) = try r.writer.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"), try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(migrations == ["v1", "v2"])
        #expect(stamp == Schema.version)
    }

    @Test func unusablePathIsAConfigurationError() {
        #expect(throws: GreenVNError.self) { try SQLiteRegistry(path: "/proc/greenvn-cannot-be-here/registry.sqlite") }
    }
}

/// A registry written by the release before this one (schema v1) opens with everything in it.
@Suite struct SQLiteMigrationTests {
    @Test func aVersion1RegistryKeepsItsRowsAuditAndLeases() throws {
        let dir = TempDir()
        do {
            let queue = try DatabaseQueue(path: dir.registryPath)
            try Schema.migrator.migrate(queue, upTo: "v1")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO allocation (greenvn_id, connection_id, usage, state, green_vn, created_at, updated_at, expires_at, status, search)
                    VALUES ('old-1', 'c-old', 'twoway', 'active', '+918000000001', 1, 1, 9000000000000, 'known', 'old-1');
                    INSERT INTO audit (at, user, action, target, connection_id, outcome) VALUES (5, 'meera', 'allocate', 'old-1', 'c-old', 'ok');
                    INSERT INTO outbox (connection_id, request, created_at, attempts, owner_pid, sent_at) VALUES ('c-out', '{}', 7, 1, 4242, 7);
                    """)
            }
        }
        let r = try SQLiteRegistry(path: dir.registryPath)
        #expect(try r.allocation(id: "old-1")?.allocation.greenVN == "+918000000001")
        #expect(try r.allocation(id: "old-1")?.releasedAt == nil)
        let entry = try #require(try r.audit(for: "old-1", limit: 5).first)
        #expect(entry.operatorName == "meera" && entry.host == "" && entry.outcome == "ok")
        let lease = try #require(try r.outbox().first)
        #expect(lease.owner?.token == 4242 && lease.connectionId == "c-out")
        #expect(try r.calls(of: "old-1", limit: 5).isEmpty)
    }
}
