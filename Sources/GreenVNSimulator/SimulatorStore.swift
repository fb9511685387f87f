import Foundation
import GRDB
import GreenVNKit

/// The simulator's state in SQLite. Every operation is one IMMEDIATE transaction that first
/// expires what is due, so several processes sharing the file never hand out one VN twice
/// (a partial unique index backs that up) and all agree on what is active.
final class SimulatorStore: Sendable {
    private let writer: any DatabaseWriter
    /// `transaction`'s bodies, grouped (see `TransactionGroup`).
    private let groups: TransactionGroup
    /// The free VNs between transactions (nil: every pick reads the held VNs).
    let free: FreeNumbers?
    /// Told, after the commit, of allocations the deallocation policy moved to the vault, with
    /// the settings in force then (where their webhook goes). Never called for a DELETE.
    private let onExpired: @Sendable ([Allocation], AccountSettings) -> Void

    init(path: String?, free: FreeNumbers? = nil,
         onExpired: @escaping @Sendable ([Allocation], AccountSettings) -> Void = { _, _ in }) throws {
        self.free = free
        self.onExpired = onExpired
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.label = "greenvn.simulator"
        config.prepareDatabase { db in
            // A test server's state: no fsync at all. In WAL mode a process crash (kill -9) still
            // loses no commit (the writes are in the OS's cache); only a power cut could. Savepoints'
            // statement journals in memory, not in files made and unlinked per transaction.
            try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY")
        }
        if let path {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            writer = try DatabasePool(path: path, configuration: config)
        } else {
            writer = try DatabaseQueue(configuration: config)
        }
        do {
            try Self.migrator.migrate(writer)
        } catch {
            // Another process migrating the same new file at the same moment: it won; retry sees its work.
            try Self.migrator.migrate(writer)
        }
        groups = TransactionGroup(writer: writer) { [free, onExpired] db, jobs in
            let (_, expired) = try Self.inTransaction(db, free) { db, now in
                for job in jobs { job.body(db, now) }
            }
            return { if let expired, !expired.allocations.isEmpty { onExpired(expired.allocations, expired.settings) } }
        }
    }

    private static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE allocation (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    greenvn_id TEXT NOT NULL UNIQUE,
                    connection_id TEXT NOT NULL UNIQUE,
                    aparty_numbers TEXT NOT NULL,
                    bparty_numbers TEXT NOT NULL,
                    aparty_pins TEXT NOT NULL,
                    bparty_pins TEXT NOT NULL,
                    usage TEXT NOT NULL,
                    state TEXT NOT NULL,
                    green_vn TEXT NOT NULL,
                    flow_id TEXT,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    vaulted_at INTEGER
                );
                CREATE UNIQUE INDEX allocation_active_vn ON allocation(green_vn) WHERE state = 'active';
                CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), offset_seconds INTEGER NOT NULL);
                INSERT INTO clock (id, offset_seconds) VALUES (1, 0);
                """)
        }
        // The expiry sweep that opens every transaction: one index range, not a table scan.
        m.registerMigration("v2") { db in
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS allocation_state_expires ON allocation(state, expires_at)")
        }
        // Account settings (one row, the settings object as JSON) and callers admitted by a pin.
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
                CREATE TABLE verified_caller (
                    greenvn_id TEXT NOT NULL,
                    number TEXT NOT NULL,
                    side TEXT NOT NULL,
                    PRIMARY KEY (greenvn_id, number)
                );
                """)
        }
        return m
    }

    // MARK: transactions

    /// Runs `body` in an IMMEDIATE transaction after moving expired allocations to the vault,
    /// in a savepoint of a transaction it may share with other bodies (`TransactionGroup`): what
    /// it throws rolls back its own changes only. `now` is the simulated time (wall clock + the
    /// persisted offset), in epoch seconds.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (Database, Int) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            let result = JobResult<T>()
            groups.submit(TransactionGroup.Job(body: { db, now in
                do {
                    var value: T?
                    try db.inSavepoint {
                        value = try body(db, now)
                        return .commit
                    }
                    result.value = .success(value!)
                } catch {
                    result.value = .failure(error)
                }
            }, finish: { commitError in
                if let commitError, case .success? = result.value {
                    cont.resume(throwing: commitError)
                } else {
                    cont.resume(with: result.value ?? .failure(commitError ?? CancellationError()))
                }
            }))
        }
    }

    func transactionSync<T>(_ body: (Database, Int) throws -> T) throws -> T {
        let (result, expired) = try writer.writeWithoutTransaction { db in try Self.inTransaction(db, free, body) }
        report(expired)
        return result
    }

    /// Moves the simulated clock and expires what is due by the new time, in one transaction.
    func advanceClock(seconds: Int) throws -> Int {
        let (now, expired) = try transactionSync { db, now -> (Int, Expired?) in
            try db.execute(sql: "UPDATE clock SET offset_seconds = offset_seconds + ? WHERE id = 1", arguments: [seconds])
            let swept = try Self.expire(db, now: now + seconds)
            return (now + seconds, swept.isEmpty ? nil : Expired(allocations: swept, settings: try Self.settings(db)))
        }
        report(expired)
        return now
    }

    private func report(_ expired: Expired?) {
        if let expired, !expired.allocations.isEmpty { onExpired(expired.allocations, expired.settings) }
    }

    /// What a transaction's sweep moved to the vault, and the settings it read for them.
    private struct Expired { var allocations: [Allocation]; var settings: AccountSettings }

    private static func inTransaction<T>(_ db: Database, _ free: FreeNumbers?, _ body: (Database, Int) throws -> T) throws -> (T, Expired?) {
        var result: T?
        var expired: Expired?
        var committed = false
        defer { free?.end(db, committed: committed) }
        try db.inTransaction(.immediate) {
            try free?.begin(db)
            let offset = try Int.fetchOne(db.cachedStatement(sql: "SELECT offset_seconds FROM clock WHERE id = 1")) ?? 0
            let now = Int(Date().timeIntervalSince1970) + offset
            let swept = try expire(db, now: now)
            free?.swept(db)
            result = try body(db, now)
            if !swept.isEmpty { expired = Expired(allocations: swept, settings: try settings(db)) }
            return .commit
        }
        committed = true
        return (result!, expired)
    }

    // MARK: statements (called inside a transaction)

    /// Moves what is due to the vault and returns it (the deallocation webhooks' payloads).
    static func expire(_ db: Database, now: Int) throws -> [Allocation] {
        let statement = try db.cachedStatement(sql: """
            UPDATE allocation SET state = 'vault', vaulted_at = expires_at WHERE state = 'active' AND expires_at <= ? RETURNING *
            """)
        return try Row.fetchAll(statement, arguments: [now]).map { StoredAllocation(row: $0).allocation }
    }

    /// Seconds until the next active allocation expires (nil: none is active).
    static func secondsToNextExpiry(_ db: Database, now: Int) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT MIN(expires_at) FROM allocation WHERE state = 'active'").map { $0 - now }
    }

    // MARK: account settings and pin-verified callers

    static func settings(_ db: Database) throws -> AccountSettings {
        guard let text = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM settings WHERE id = 1")),
              let json = try? JSONValue.parse(Data(text.utf8)) else { return AccountSettings() }
        return (try? Wire.settings(from: json).get()) ?? AccountSettings()
    }

    static func saveSettings(_ db: Database, _ s: AccountSettings) throws {
        let text = String(decoding: Wire.json(s).serialized(), as: UTF8.self)
        try db.execute(sql: "INSERT INTO settings (id, body) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body", arguments: [text])
    }

    /// The side ("a" or "b") a caller joined by entering a pin, if it did.
    static func verifiedSide(_ db: Database, greenvnId: String, number: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT side FROM verified_caller WHERE greenvn_id = ? AND number = ?", arguments: [greenvnId, number])
    }

    static func verify(_ db: Database, greenvnId: String, number: String, side: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO verified_caller (greenvn_id, number, side) VALUES (?, ?, ?)", arguments: [greenvnId, number, side])
    }

    /// One active allocation, the `index`-th by age (for random calls).
    static func active(_ db: Database, index: Int) throws -> Allocation? {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM allocation WHERE state = 'active'") ?? 0
        guard count > 0 else { return nil }
        return try Row.fetchOne(db, sql: "SELECT * FROM allocation WHERE state = 'active' ORDER BY seq LIMIT 1 OFFSET ?",
                                arguments: [index % count]).map { StoredAllocation(row: $0).allocation }
    }

    static func fetch(_ db: Database, id: String) throws -> StoredAllocation? {
        try Row.fetchOne(db, sql: "SELECT * FROM allocation WHERE greenvn_id = ?", arguments: [id]).map(StoredAllocation.init(row:))
    }

    static func all(_ db: Database) throws -> [StoredAllocation] {
        try Row.fetchAll(db, sql: "SELECT * FROM allocation ORDER BY seq").map(StoredAllocation.init(row:))
    }

    static func connectionExists(_ db: Database, _ connectionId: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM allocation WHERE connection_id = ?)", arguments: [connectionId]) ?? false
    }

    static func heldVNs(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT green_vn FROM allocation WHERE state = 'active'"))
    }

    static func insert(_ db: Database, _ s: StoredAllocation) throws {
        let a = s.allocation
        try db.execute(sql: """
            INSERT INTO allocation (greenvn_id, connection_id, aparty_numbers, bparty_numbers, aparty_pins, bparty_pins,
                                    usage, state, green_vn, flow_id, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [a.greenvnId, a.connectionId, encode(a.aparty.numbers), encode(a.bparty.numbers),
                             encode(a.aparty.pins), encode(a.bparty.pins), a.usage.rawValue, a.state.rawValue,
                             a.greenVN, a.flowId, s.createdAt, s.expiresAt])
    }

    /// Writes back what a swap, a call-party update or a deallocation may change.
    static func update(_ db: Database, _ a: Allocation, vaultedAt: Int? = nil) throws {
        try db.execute(sql: """
            UPDATE allocation SET aparty_numbers = ?, bparty_numbers = ?, aparty_pins = ?, bparty_pins = ?,
                usage = ?, state = ?, green_vn = ?, vaulted_at = COALESCE(?, vaulted_at)
            WHERE greenvn_id = ?
            """, arguments: [encode(a.aparty.numbers), encode(a.bparty.numbers), encode(a.aparty.pins), encode(a.bparty.pins),
                             a.usage.rawValue, a.state.rawValue, a.greenVN, vaultedAt, a.greenvnId])
    }

    private static func encode(_ items: [String]) -> String {
        String(decoding: JSONValue.array(items.map(JSONValue.string)).serialized(), as: UTF8.self)
    }

    private static func encode(_ items: [Int]) -> String {
        String(decoding: JSONValue.array(items.map { .int(Int64($0)) }).serialized(), as: UTF8.self)
    }
}

/// An allocation plus what only the simulator knows about it.
struct StoredAllocation: Sendable, Equatable {
    var allocation: Allocation
    var createdAt: Int
    var expiresAt: Int

    init(allocation: Allocation, createdAt: Int, expiresAt: Int) {
        self.allocation = allocation
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    init(row: Row) {
        func strings(_ column: String) -> [String] {
            let text: String = row[column] ?? "[]"
            return (try? JSONValue.parse(Data(text.utf8)))?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        allocation = Allocation(
            greenvnId: row["greenvn_id"], connectionId: row["connection_id"],
            aparty: Party(strings("aparty_numbers"), pins: strings("aparty_pins").compactMap { Int($0) }),
            bparty: Party(strings("bparty_numbers"), pins: strings("bparty_pins").compactMap { Int($0) }),
            usage: Usage(rawValue: row["usage"]) ?? .twoway, state: AllocationState(rawValue: row["state"]) ?? .vault,
            greenVN: row["green_vn"], flowId: row["flow_id"])
        createdAt = row["created_at"]
        expiresAt = row["expires_at"]
    }
}
