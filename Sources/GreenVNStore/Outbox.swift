import Foundation
import GRDB
import GreenVNKit

/// A create written before it was sent, whose outcome is not recorded yet.
public struct OutboxEntry: Equatable, Sendable {
    public var connectionId: String
    /// The create body exactly as `Wire.body(_:)` sends it.
    public var requestJSON: String
    public var createdAt: Date
    public var attempts: Int
    public var lastError: String?
    /// The process sending it right now (nil once an attempt ended without an outcome).
    public var ownerPid: Int32?
    public var sentAt: Date?

    /// The request, restored through the same validation the simulator applies (nil if the
    /// stored body no longer validates, which only a hand-edited database can cause).
    public var request: AllocationRequest? { Outbox.restore(requestJSON) }
}

enum Outbox {
    /// A lease older than this is taken over even if its owner still runs (a hung process).
    static let leaseSeconds: TimeInterval = 600

    static func encode(_ r: AllocationRequest) -> String { String(decoding: Wire.body(r), as: UTF8.self) }

    static func restore(_ json: String) -> AllocationRequest? {
        guard let draft = try? Wire.draft(fromCreate: Data(json.utf8)),
              case .success(let (request, _)) = draft.validate(normalizing: false) else { return nil }
        return request
    }

    static func entry(_ row: Row) -> OutboxEntry {
        OutboxEntry(connectionId: row["connection_id"], requestJSON: row["request"],
                    createdAt: Millis.date(row["created_at"] as Int64), attempts: row["attempts"],
                    lastError: row["last_error"], ownerPid: row["owner_pid"],
                    sentAt: Millis.date(row["sent_at"] as Int64?))
    }

    static func fetch(_ db: Database, connectionId: String) throws -> OutboxEntry? {
        try db.row("SELECT * FROM outbox WHERE connection_id = ?", [connectionId]).map(entry)
    }

    static func all(_ db: Database) throws -> [OutboxEntry] {
        try db.rows("SELECT * FROM outbox ORDER BY created_at, connection_id").map(entry)
    }

    /// May this process send the entry now? Not while another live process is sending it. The
    /// caller holds the connection_id in `InFlight`, so no other task of this process is.
    static func isClaimable(_ e: OutboxEntry, now: Date) -> Bool {
        guard let pid = e.ownerPid else { return true }
        if pid == getpid() { return true }              // ours, and no task of ours holds it: a dead attempt
        if let sent = e.sentAt, now.timeIntervalSince(sent) > leaseSeconds { return true }
        return !processIsAlive(pid)
    }

    static func processIsAlive(_ pid: Int32) -> Bool {
        if pid <= 0 { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Writes a new entry (and its pending row) leased to this process.
    static func insert(_ db: Database, _ r: AllocationRequest, now: Date) throws {
        try db.run("""
            INSERT INTO outbox (connection_id, request, created_at, attempts, owner_pid, sent_at)
            VALUES (?, ?, ?, 1, ?, ?)
            """, [r.connectionId, encode(r), Millis.from(now), getpid(), Millis.from(now)])
        try AllocationRows.addPendingIfAbsent(db, r, now: now)
    }

    /// Takes the lease if the entry is unchanged since `seen` was read (compare-and-swap: two
    /// processes reconciling at once send it once).
    static func claim(_ db: Database, _ seen: OutboxEntry, now: Date) throws -> Bool {
        try db.run("""
            UPDATE outbox SET owner_pid = ?, sent_at = ?, attempts = attempts + 1
            WHERE connection_id = ? AND attempts = ? AND owner_pid IS ? AND sent_at IS ?
            """, [getpid(), Millis.from(now), seen.connectionId, seen.attempts, seen.ownerPid,
                             seen.sentAt.map(Millis.from)])
        return db.changesCount == 1
    }

    /// The attempt ended without an outcome: keep the entry, free the lease for the next reconcile.
    static func release(_ db: Database, connectionId: String, error: String) throws {
        try db.run("UPDATE outbox SET owner_pid = NULL, last_error = ? WHERE connection_id = ?",
                       [error, connectionId])
    }

    static func delete(_ db: Database, connectionId: String) throws {
        try db.run("DELETE FROM outbox WHERE connection_id = ?", [connectionId])
    }
}

/// Connection ids a task of this process is sending right now (across all `Operations`).
enum InFlight {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var ids: Set<String> = []

    static func insert(_ id: String) -> Bool { lock.withLock { ids.insert(id).inserted } }
    static func remove(_ id: String) { lock.withLock { _ = ids.remove(id) } }
    static func contains(_ id: String) -> Bool { lock.withLock { ids.contains(id) } }
}
