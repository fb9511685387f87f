import Foundation
import GRDB
import GreenVNKit

/// The operator's memory of every allocation: Lead Assist has no list call and no lookup by
/// connection_id, so what is not here is lost. One SQLite file per target, in WAL mode, shared
/// safely by several processes (the TUI, a CLI command, a bulk import) with a 5 s busy timeout.
public final class Registry: @unchecked Sendable {
    /// nil for `inMemory()`.
    public let path: String?
    let writer: any DatabaseWriter

    /// Opens (creating it and its directory if needed) and migrates the registry at `path`.
    public init(path: String) throws {
        self.path = path
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try DataDirectory.ensure(dir) }
            writer = try DatabasePool(path: path, configuration: Self.configuration)
            try Schema.migrator.migrate(writer)
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw GreenVNError.configuration("cannot open the registry \(path): \(Self.describe(error)). Check the file and GREENVN_HOME.")
        }
    }

    private init(memory writer: DatabaseQueue) throws {
        path = nil
        self.writer = writer
        try Schema.migrator.migrate(writer)
    }

    /// A private registry that lives as long as the object (tests, previews).
    public static func inMemory() throws -> Registry {
        try Registry(memory: DatabaseQueue(configuration: configuration))
    }

    static var configuration: Configuration {
        var c = Configuration()
        c.busyMode = .timeout(5)
        c.label = "greenvn.registry"
        return c
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "SQLite error \(e.resultCode)" }
        return AuditLog.outcome(of: error)
    }

    // MARK: reads (paged: a screen never loads more than it shows)

    public func page(_ q: ListQuery, offset: Int, limit: Int, now: Date = Date()) throws -> [StoredAllocation] {
        let s = ListSQL(q, now: now)
        return try writer.read { db in
            let (sql, args) = s.pageSQL(sparse: try Self.isSparse(db, s))
            return try db.rows(sql, args + [max(0, limit), max(0, offset)]).map(StoredAllocation.init(row:))
        }
    }

    /// Rows under `q`. Without a text filter it is read from the trigger-kept tallies plus one
    /// bounded index range (the expired rows); with one, it is a scan (~0.3 s at 1M rows).
    public func count(_ q: ListQuery, now: Date = Date()) throws -> Int {
        let s = ListSQL(q, now: now)
        return try writer.read { db in
            if s.term.isEmpty {
                let t = try Self.tally(db, nowMs: s.nowMs)
                switch q.state {
                case .active: return t.active
                case .vault: return t.vault
                case .all: return t.active + t.vault
                }
            }
            let (cond, args) = s.whereClause()
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM allocation WHERE \(cond)", arguments: args) ?? 0
        }
    }

    /// The tab counters. `active` and `vault` follow the effective state at `now` (expired rows
    /// count as vault); `pending` counts the rows that need the operator (status pending or
    /// id_unknown), which are also counted in `active` or `vault`.
    public func counts(now: Date = Date()) throws -> (active: Int, vault: Int, pending: Int) {
        try writer.read { db in try Self.tally(db, nowMs: Millis.from(now)) }
    }

    static let tallyProbe = 50_000

    /// Effective counts: the tallies split by one index range over the active rows, counting
    /// whichever side of `now` (expired or not) is the smaller, bounded by a probe.
    static func tally(_ db: Database, nowMs: Int64) throws -> (active: Int, vault: Int, pending: Int) {
        var t: [String: Int] = [:]
        for row in try db.rows("SELECT key, n FROM tally") { t[row["key"]] = row["n"] }
        let active = t["active"] ?? 0, vault = t["vault"] ?? 0, unsettled = t["unsettled"] ?? 0
        let unexpired = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM (SELECT 1 FROM allocation INDEXED BY allocation_state_expires
                                  WHERE state = 'active' AND expires_at > ? LIMIT ?)
            """), arguments: [nowMs, tallyProbe]) ?? 0
        let expired = unexpired < tallyProbe
            ? active - unexpired
            : try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM allocation INDEXED BY allocation_state_expires WHERE state = 'active' AND expires_at <= ?
                """), arguments: [nowMs]) ?? 0
        return (active: active - expired, vault: vault + expired, pending: unsettled)
    }

    static func isSparse(_ db: Database, _ s: ListSQL) throws -> Bool {
        guard let (sql, args) = s.probeSQL(limit: ListSQL.denseThreshold) else { return false }
        return (try Int.fetchOne(db.cachedStatement(sql: sql), arguments: args) ?? 0) < ListSQL.denseThreshold
    }

    /// Where the row with `id` sits under `q` (0-based), nil if `q` does not show it: keeps the
    /// cursor on the same allocation across refreshes and re-sorts.
    public func index(of id: String, in q: ListQuery, now: Date = Date()) throws -> Int? {
        let s = ListSQL(q, now: now)
        let (cond, args) = s.whereClause()
        return try writer.read { db in
            guard let row = try db.row("SELECT id, \(s.column) AS k FROM allocation WHERE greenvn_id = ? AND \(cond)",
                                       [id] + args) else { return nil }
            let (before, beforeArgs) = s.before(key: row["k"], rowid: row["id"])
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM allocation WHERE \(cond) AND \(before)",
                                    arguments: args + beforeArgs) ?? 0
        }
    }

    public func allocation(id: String) throws -> StoredAllocation? {
        try writer.read { try AllocationRows.fetch($0, id: id) }
    }

    public func allocation(connectionId: String) throws -> StoredAllocation? {
        try writer.read { try AllocationRows.fetch($0, connectionId: connectionId) }
    }

    /// The VN changes of one allocation, oldest first.
    public func history(of id: String) throws -> [VNChange] {
        try writer.read { try VNHistory.changes($0, of: id) }
    }

    /// Newest first; `target` nil for the whole log.
    public func audit(for target: String?, limit: Int) throws -> [AuditEntry] {
        try writer.read { try AuditLog.entries($0, for: target, limit: limit) }
    }

    /// Creates written but not settled yet (outcome unknown), oldest first.
    public func outbox() throws -> [OutboxEntry] {
        try writer.read { try Outbox.all($0) }
    }

    /// Bumped by every committed write, from any process.
    public func changeCount() throws -> Int64 {
        try writer.read { try Int64.fetchOne($0, sql: "SELECT n FROM change WHERE id = 1") ?? 0 }
    }

    // MARK: writes

    /// Records what the API answered (upsert by greenvn_id; VN history when the VN is new or
    /// changed). `request`: what was asked at create, kept with the row.
    public func remember(_ a: Allocation, how: String, request: AllocationRequest? = nil, now: Date = Date()) throws {
        try write { db in _ = try AllocationRows.remember(db, a, how: how, request: request, now: now) }
    }

    public func audit(action: String, target: String, outcome: String) throws {
        try write { db in try AuditLog.append(db, action: action, target: target, outcome: outcome, now: Date()) }
    }

    /// One transaction that also bumps the change counter observers watch.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.write { db in
            let result = try body(db)
            try db.run("UPDATE change SET n = n + 1 WHERE id = 1")
            return result
        }
    }

    /// The same, off the caller's thread, and NOT cancellable: once the API has acted, its
    /// outcome is recorded even if the task that asked was cancelled. `durable` forces a
    /// synchronous=FULL commit (the outbox entry must survive a power cut before we send).
    func writeAsync<T: Sendable>(durable: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            writer.asyncWriteWithoutTransaction { db in
                cont.resume(with: Result {
                    if durable { try db.run("PRAGMA synchronous = FULL") }
                    defer { if durable { try? db.run("PRAGMA synchronous = NORMAL") } }
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(db)
                        try db.run("UPDATE change SET n = n + 1 WHERE id = 1")
                        return .commit
                    }
                    return result!
                })
            }
        }
    }

    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            writer.asyncRead { result in
                cont.resume(with: Result { try body(result.get()) })
            }
        }
    }
}

extension Database {
    /// Runs one statement through the connection's statement cache (the hot write paths run the
    /// same few statements thousands of times).
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func row(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}
