import Foundation
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
    public var owner: LeaseOwner?
    public var sentAt: Date?

    public init(connectionId: String, requestJSON: String, createdAt: Date, attempts: Int, lastError: String? = nil,
                owner: LeaseOwner? = nil, sentAt: Date? = nil) {
        self.connectionId = connectionId
        self.requestJSON = requestJSON
        self.createdAt = createdAt
        self.attempts = attempts
        self.lastError = lastError
        self.owner = owner
        self.sentAt = sentAt
    }

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

    static func entry(_ row: SQLRow) -> OutboxEntry {
        var owner: LeaseOwner?
        if let token = row.int("owner_token") {
            owner = LeaseOwner(operatorName: row.text("owner_operator") ?? "", host: row.text("owner_host") ?? "", token: token)
        }
        return OutboxEntry(connectionId: row.text("connection_id") ?? "", requestJSON: row.text("request") ?? "",
                           createdAt: Millis.date(row.int("created_at") ?? 0), attempts: Int(row.int("attempts") ?? 0),
                           lastError: row.text("last_error"), owner: owner, sentAt: Millis.date(row.int("sent_at")))
    }
}

extension RegistryTransaction {
    func outboxEntry(connectionId: String) throws -> OutboxEntry? {
        try db.row("SELECT * FROM outbox WHERE connection_id = ?", [connectionId.sqlValue]).map(Outbox.entry)
    }

    /// Oldest first.
    public func outbox() throws -> [OutboxEntry] {
        try db.query("SELECT * FROM outbox ORDER BY created_at, connection_id", []).map(Outbox.entry)
    }

    /// May this process send the entry now? Not while another live process is sending it. The
    /// caller holds the connection_id in `InFlight`, so no other task of this process is.
    func isClaimable(_ e: OutboxEntry, now: Date) throws -> Bool {
        guard let owner = e.owner else { return true }
        if owner.token == db.owner.token && owner.host == db.owner.host { return true }   // ours: a dead attempt
        if let sent = e.sentAt, now.timeIntervalSince(sent) > Outbox.leaseSeconds { return true }
        return try !db.isAlive(owner)
    }

    /// Writes a new entry (and its pending row) leased to this process. `body`: `Outbox.encode(r)`,
    /// when the caller has it already. `rowAbsent`: the caller read in this transaction that the
    /// connection_id has no allocation row (the pending row is then written without looking again).
    func insertOutbox(_ r: AllocationRequest, body: String? = nil, now: Date, rowAbsent: Bool = false) throws {
        let o = db.owner
        try db.execute("""
            INSERT INTO outbox (connection_id, request, created_at, attempts, owner_token, owner_operator, owner_host, sent_at)
            VALUES (?, ?, ?, 1, ?, ?, ?, ?)
            """, [r.connectionId.sqlValue, (body ?? Outbox.encode(r)).sqlValue, Millis.from(now).sqlValue, o.token.sqlValue,
                  o.operatorName.sqlValue, o.host.sqlValue, Millis.from(now).sqlValue])
        if rowAbsent {
            try StoredAllocation.placeholder(for: r, status: .pending, now: now).save(db)
        } else {
            try addPendingIfAbsent(r, now: now)
        }
    }

    /// Takes the lease if the entry is unchanged since `seen` was read (compare-and-swap: two
    /// processes reconciling at once send it once).
    func claim(_ seen: OutboxEntry, now: Date) throws -> Bool {
        let o = db.owner
        let changed = try db.execute("""
            UPDATE outbox SET owner_token = ?, owner_operator = ?, owner_host = ?, sent_at = ?, attempts = attempts + 1
            WHERE connection_id = ? AND attempts = ? AND owner_token IS NOT DISTINCT FROM ? AND sent_at IS NOT DISTINCT FROM ?
            """, [o.token.sqlValue, o.operatorName.sqlValue, o.host.sqlValue, Millis.from(now).sqlValue,
                  seen.connectionId.sqlValue, seen.attempts.sqlValue, seen.owner.map(\.token).sqlValue,
                  seen.sentAt.map(Millis.from).sqlValue])
        return changed == 1
    }

    /// The attempt ended without an outcome: keep the entry, free the lease for the next reconcile.
    func releaseOutbox(connectionId: String, error: String) throws {
        try db.execute("UPDATE outbox SET owner_token = NULL, owner_operator = NULL, owner_host = NULL, last_error = ? WHERE connection_id = ?",
                       [error.sqlValue, connectionId.sqlValue])
    }

    func deleteOutbox(connectionId: String) throws {
        try db.execute("DELETE FROM outbox WHERE connection_id = ?", [connectionId.sqlValue])
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
