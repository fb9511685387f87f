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
    /// Group commit for `writeAsync` (see `GroupCommit`).
    private let commits: GroupCommit
    /// The last `rareMatches` answer (see there).
    private let candidates = Locked<(key: String, change: Int64, active: Int, ids: String?)?>(nil)
    /// Rows of pages read before, to seek to (see `pageRows`).
    private let anchors = Locked<(key: AnchorKey, list: [Anchor])?>(nil)
    /// The last tab counts worked out (see `tally`).
    private let tallies = Locked<(change: Int64, nowMs: Int64, tally: (active: Int, vault: Int, pending: Int))?>(nil)

    /// Opens (creating it and its directory if needed) and migrates the registry at `path`.
    public init(path: String) throws {
        self.path = path
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try DataDirectory.ensure(dir) }
            let lock = try OpenLock(directory: dir)
            defer { lock.release() }
            writer = try DatabasePool(path: path, configuration: Self.configuration)
            commits = GroupCommit(writer: writer)
            try Schema.migrator.migrate(writer)
            try Schema.ensureDerivedTables(writer)
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw GreenVNError.configuration("cannot open the registry \(path): \(Self.describe(error)). Check the file and GREENVN_HOME.")
        }
    }

    private init(memory writer: DatabaseQueue) throws {
        path = nil
        self.writer = writer
        commits = GroupCommit(writer: writer)
        try Schema.migrator.migrate(writer)
        try Schema.ensureDerivedTables(writer)
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
        let (offset, limit) = (max(0, offset), max(0, limit))
        if limit == 0 { return [] }
        return try writer.read { db in try self.pageRows(db, s, offset: offset, limit: limit) }
    }

    /// A page is read from wherever it is cheapest to reach: the start (OFFSET rows are
    /// stepped over), the far end (a deep page of an unfiltered tab: G costs what the first page
    /// does), or a row of a page read before (keyset: the index seeks to it, so j/k/PgDn/PgUp
    /// step over a screenful at most, at any depth).
    func pageRows(_ db: Database, _ s: ListSQL, offset: Int, limit: Int) throws -> [StoredAllocation] {
        if !s.term.isEmpty, let ids = try rareMatches(db, s) {
            // Sorted by their keys first, then only the page's rows read whole.
            let (sql, args) = s.pageOfIdsSQL(ids)
            let page = try Int64.fetchAll(db.cachedStatement(sql: sql), arguments: args + [limit, offset])
            if page.isEmpty { return [] }
            let rows = try Self.decode(db, "SELECT * FROM allocation WHERE id IN (SELECT value FROM json_each(?))",
                                       ["[" + page.map(String.init).joined(separator: ",") + "]"], keys: s.keys)
            let at = Dictionary(uniqueKeysWithValues: page.enumerated().map { ($0.element, $0.offset) })
            return zip(rows.allocations, rows.positions).sorted { at[$0.1.rowid] ?? 0 < at[$1.1.rowid] ?? 0 }.map(\.0)
        }
        let t = try tally(db, nowMs: s.nowMs)
        let key = AnchorKey(s, change: try changeCounter(db), tally: t)
        var cost = offset
        var read: () throws -> Decoded = {
            let (sql, args) = s.pageSQL(sparse: try self.isSparse(db, s))
            return try Self.decode(db, sql, args + [limit, offset], keys: s.keys)
        }
        if s.term.isEmpty {
            let total = s.query.state == .active ? t.active : s.query.state == .vault ? t.vault : t.active + t.vault
            if offset >= total { return [] }
            if total - offset - limit < cost {
                cost = max(0, total - offset - limit)
                read = {
                    let r = s.reversed
                    let (sql, args) = r.pageSQL(sparse: try self.isSparse(db, r))
                    return try Self.decode(db, sql, args + [min(limit, total - offset), max(0, total - offset - limit)], keys: s.keys).reversed()
                }
            }
        }
        for a in anchors.value?.key == key ? anchors.value!.list : [] {
            if offset > a.offset, offset - a.offset - 1 < cost {
                cost = offset - a.offset - 1
                read = {
                    let (sql, args) = s.pageSQL(sparse: try self.isSparse(db, s), beyond: s.beyond(a.values, rowid: a.rowid, after: true))
                    return try Self.decode(db, sql, args + [limit, offset - a.offset - 1], keys: s.keys)
                }
            } else if offset + limit <= a.offset, a.offset - offset - limit < cost {
                cost = a.offset - offset - limit
                read = {
                    let r = s.reversed
                    let (sql, args) = r.pageSQL(sparse: try self.isSparse(db, r), beyond: s.beyond(a.values, rowid: a.rowid, after: false))
                    return try Self.decode(db, sql, args + [limit, a.offset - offset - limit], keys: s.keys).reversed()
                }
            }
        }
        let rows = try read()
        if var first = rows.positions.first, var last = rows.positions.last {
            first.offset = offset
            last.offset = offset + rows.positions.count - 1
            var list = anchors.value?.key == key ? anchors.value!.list : []
            list.removeAll { $0.offset == first.offset || $0.offset == last.offset }
            list += [first, last]
            anchors.value = (key, Array(list.suffix(16)))
        }
        return rows.allocations
    }

    /// Rows of a page and where each sits (its sort key and rowid, for anchors).
    struct Decoded {
        var allocations: [StoredAllocation] = []
        var positions: [Anchor] = []
        func reversed() -> Decoded { Decoded(allocations: allocations.reversed(), positions: positions.reversed()) }
    }

    /// Decodes `SELECT * FROM allocation …` straight from SQLite's row (a cursor, not copied
    /// rows: GRDB copies every column name of every copied row, and reads its values through a
    /// slower generic path).
    static func decode(_ db: Database, _ sql: String, _ arguments: StatementArguments, keys: [String]) throws -> Decoded {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        var out = Decoded()
        var columns: AllocationColumns?
        var keyIndexes: [Int] = []
        var idIndex = 0
        while let row = try cursor.next() {
            if columns == nil {
                columns = AllocationColumns(row)
                let names = Array(row.columnNames)
                keyIndexes = keys.map { k in names.firstIndex(of: k) ?? 0 }
                idIndex = names.firstIndex(of: "id") ?? 0
            }
            out.allocations.append(StoredAllocation(row: row, columns: columns!))
            out.positions.append(Anchor(offset: 0, values: keyIndexes.map { row[$0] as DatabaseValue }, rowid: row[idIndex]))
        }
        return out
    }

    func changeCounter(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT n FROM change WHERE id = 1")) ?? 0
    }

    /// The rowids (a JSON array) of the rows a text filter may match, if they are few: from the
    /// trigram index for a term of 3+ characters (rows holding all its trigrams), else from one
    /// sequential scan that stops early when they are many. Callers still apply the whole
    /// condition (tab and term) to them. "Few" is where reading each of them by rowid costs less
    /// than reading the sort order until a page of them turns up: √(31 × rows), ~5,600 at 1M.
    /// The answer is kept for the next call (count, then page, then index, for one keystroke).
    func rareMatches(_ db: Database, _ s: ListSQL) throws -> String? {
        let t = try tally(db, nowMs: s.nowMs)
        let change = try changeCounter(db)
        let key = s.trigramQuery.map { "trigrams \($0)" } ?? "scan \(s.query.state.rawValue) \(s.nowMs) \(s.term)"
        if let c = candidates.value, c.key == key, c.change == change, c.active == t.active { return c.ids }
        let ids: [Int64]
        var rare = true
        if let match = s.trigramQuery {
            let few = max(500, Int((31 * Double(t.active + t.vault)).squareRoot()))
            ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT rowid FROM allocation_search WHERE allocation_search MATCH ? LIMIT ?"),
                                     arguments: [match, few + 1])
            rare = ids.count <= few
        } else {
            let (cond, args) = s.whereClause()
            ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM allocation NOT INDEXED WHERE \(cond) LIMIT ?"),
                                     arguments: args + [ListSQL.rareShortMatches + 1])
            rare = ids.count <= ListSQL.rareShortMatches
        }
        let list = rare ? "[" + ids.map(String.init).joined(separator: ",") + "]" : nil
        candidates.value = (key, change, t.active, list)
        return list
    }

    /// Rows under `q`. Without a text filter it is read from the tallies; with one, from the
    /// trigram index when the term's candidates are few, else it is a scan (~0.3 s at 1M rows):
    /// the console asks `count(_:upTo:now:)` instead.
    public func count(_ q: ListQuery, now: Date = Date()) throws -> Int {
        let s = ListSQL(q, now: now)
        return try writer.read { db in
            if s.term.isEmpty {
                let t = try self.tally(db, nowMs: s.nowMs)
                switch q.state {
                case .active: return t.active
                case .vault: return t.vault
                case .all: return t.active + t.vault
                }
            }
            if let ids = try self.rareMatches(db, s) { return try self.countAmong(db, s, ids: ids) }
            if let match = s.trigramQuery, try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM (SELECT 1 FROM allocation_search WHERE allocation_search MATCH ? LIMIT ?)
                """), arguments: [match, ListSQL.candidatesToCheck]) ?? 0 < ListSQL.candidatesToCheck {
                // fewer candidates than rows: each checked by rowid, a chunk at a time
                var n = 0
                var last: Int64 = 0
                while true {
                    let ids = try Int64.fetchAll(db.cachedStatement(sql: """
                        SELECT rowid FROM allocation_search WHERE allocation_search MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?
                        """), arguments: [match, last, 10_000])
                    guard let end = ids.last else { break }
                    last = end
                    n += try self.countAmong(db, s, ids: "[" + ids.map(String.init).joined(separator: ",") + "]")
                    if ids.count < 10_000 { break }
                }
                return n
            }
            // a text filter reads every row of the tab: sequentially, unless the tab is small
            let (cond, args) = s.whereClause()
            let from = try self.isSparse(db, s) ? "allocation INDEXED BY allocation_state_expires" : "allocation NOT INDEXED"
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(from) WHERE \(cond)", arguments: args) ?? 0
        }
    }

    /// `count(q)`, but at most `limit`: what a screen needs while the operator types a filter.
    /// A common term stops as soon as `limit` rows are found (a few thousand rows read, through
    /// the trigram index for 3+ characters); a rare one is counted exactly from its candidates.
    /// Only a rare term of 1–2 characters still reads the whole tab.
    public func count(_ q: ListQuery, upTo limit: Int, now: Date = Date()) throws -> Int {
        let s = ListSQL(q, now: now)
        if s.term.isEmpty { return min(limit, try count(q, now: now)) }
        return try writer.read { db in
            if let ids = try self.rareMatches(db, s) {
                let (cond, args) = s.whereClause()
                return try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT COUNT(*) FROM (SELECT 1 FROM allocation NOT INDEXED WHERE id IN (SELECT value FROM json_each(?)) AND \(cond) LIMIT ?)
                    """), arguments: [ids] + args + [limit]) ?? 0
            }
            if let match = s.trigramQuery {
                // Candidates a chunk at a time (about as many as are still wanted), each checked
                // against the tab and the term: a rare term is counted exactly in one or two chunks.
                var n = 0
                var last: Int64 = 0
                while n < limit {
                    let chunk = max(256, 2 * (limit - n))
                    let ids = try Int64.fetchAll(db.cachedStatement(sql: """
                        SELECT rowid FROM allocation_search WHERE allocation_search MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?
                        """), arguments: [match, last, chunk])
                    guard let end = ids.last else { break }
                    last = end
                    n += try self.countAmong(db, s, ids: "[" + ids.map(String.init).joined(separator: ",") + "]")
                    if ids.count < chunk { break }
                }
                return min(n, limit)
            }
            let (cond, args) = s.whereClause()
            return try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM (SELECT 1 FROM allocation NOT INDEXED WHERE \(cond) LIMIT ?)"),
                                    arguments: args + [limit]) ?? 0
        }
    }

    /// How many of the rows `ids` (a JSON array of rowids) are under the query.
    func countAmong(_ db: Database, _ s: ListSQL, ids: String) throws -> Int {
        let (cond, args) = s.whereClause()
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM allocation NOT INDEXED WHERE id IN (SELECT value FROM json_each(?)) AND \(cond)"),
                                arguments: [ids] + args) ?? 0
    }

    /// The tab counters. `active` and `vault` follow the effective state at `now` (expired rows
    /// count as vault); `pending` counts the rows that need the operator (status pending or
    /// id_unknown), which are also counted in `active` or `vault`.
    public func counts(now: Date = Date()) throws -> (active: Int, vault: Int, pending: Int) {
        try writer.read { db in try self.tally(db, nowMs: Millis.from(now)) }
    }

    /// `counted` below, remembered: while the change counter (bumped by every committed write
    /// of any process) has not moved, the only rows that change sides as `now` moves are those
    /// whose expiry lies between the two moments, one short index range. The tab counters, the
    /// list's total and the dense/sparse choice are read on every page: at 1M rows counting
    /// them afresh cost ~17 ms each time.
    func tally(_ db: Database, nowMs: Int64) throws -> (active: Int, vault: Int, pending: Int) {
        let change = try Int64.fetchOne(db.cachedStatement(sql: "SELECT n FROM change WHERE id = 1")) ?? 0
        if let last = tallies.value, last.change == change {
            if last.nowMs == nowMs { return last.tally }
            let (from, to) = (min(last.nowMs, nowMs), max(last.nowMs, nowMs))
            let moved = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM allocation INDEXED BY allocation_state_expires
                WHERE state = 'active' AND expires_at > ? AND expires_at <= ?
                """), arguments: [from, to]) ?? 0
            let d = nowMs > last.nowMs ? moved : -moved
            let t = (active: last.tally.active - d, vault: last.tally.vault + d, pending: last.tally.pending)
            tallies.value = (change, nowMs, t)
            return t
        }
        let t = try Self.counted(db, nowMs: nowMs)
        tallies.value = (change, nowMs, t)
        return t
    }

    /// Effective counts: the tallies split by one index range over the active rows, counting
    /// whichever side of `now` (expired or not) is the smaller, bounded by a probe.
    static func counted(_ db: Database, nowMs: Int64) throws -> (active: Int, vault: Int, pending: Int) {
        var t: [String: Int] = [:]
        for row in try db.rows("SELECT key, n FROM tally") { t[row["key"]] = row["n"] }
        let active = t["active"] ?? 0, vault = t["vault"] ?? 0, unsettled = t["unsettled"] ?? 0
        // Not expired at `now`: the later hours of the expiry tally, plus the rest of this hour.
        let hour = nowMs / Schema.expiryBucketMs
        let later = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(n), 0) FROM expiry_tally WHERE hour > ?"),
                                     arguments: [hour]) ?? 0
        let thisHour = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM allocation INDEXED BY allocation_state_expires
            WHERE state = 'active' AND expires_at > ? AND expires_at < ?
            """), arguments: [nowMs, (hour + 1) * Schema.expiryBucketMs]) ?? 0
        let expired = active - (later + thisHour)
        return (active: active - expired, vault: vault + expired, pending: unsettled)
    }

    /// A tab holding fewer than `denseThreshold` rows is read through its condition's index
    /// and sorted; `all` never is. The tab's size comes from the tallies.
    func isSparse(_ db: Database, _ s: ListSQL) throws -> Bool {
        let t = try tally(db, nowMs: s.nowMs)
        switch s.query.state {
        case .all: return false
        case .active: return t.active < ListSQL.denseThreshold
        case .vault: return t.vault < ListSQL.denseThreshold
        }
    }

    /// Where the row with `id` sits under `q` (0-based), nil if `q` does not show it: keeps the
    /// cursor on the same allocation across refreshes and re-sorts.
    public func index(of id: String, in q: ListQuery, now: Date = Date()) throws -> Int? {
        let s = ListSQL(q, now: now)
        let (cond, args) = s.whereClause()
        return try writer.read { db in
            let keys = s.keys.joined(separator: ", ")
            guard let row = try db.row("SELECT id, \(keys) FROM allocation WHERE greenvn_id = ? AND \(cond)",
                                       [id] + args) else { return nil }
            let (before, beforeArgs) = s.beyond(s.keys.indices.map { row[$0 + 1] }, rowid: row["id"], after: false)
            if !s.term.isEmpty, let ids = try self.rareMatches(db, s) {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM allocation NOT INDEXED WHERE id IN (SELECT value FROM json_each(?)) AND \(cond) AND \(before)",
                                        arguments: [ids] + args + beforeArgs) ?? 0
            }
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

    /// Stores rows exactly as given (upsert by greenvn_id) in one transaction, without history or
    /// audit: for benchmarks and test fixtures, never for what the API answered (use `remember`).
    public func seed(_ rows: [StoredAllocation]) throws {
        try write { db in for r in rows { try r.save(db) } }
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
            let outcome = Outcome<T>()
            commits.submit(durable: durable, body: { db in
                do {
                    var result: T?
                    try db.inSavepoint {
                        result = try body(db)
                        return .commit
                    }
                    outcome.value = .success(result!)
                    return true
                } catch {
                    outcome.value = .failure(error)
                    return false
                }
            }, finish: { commitError in
                if let commitError, case .success? = outcome.value {
                    cont.resume(throwing: commitError)
                } else {
                    cont.resume(with: outcome.value ?? .failure(commitError ?? CancellationError()))
                }
            })
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

/// The result of one `writeAsync` body, handed from the writer queue to the caller.
private final class Outcome<T>: @unchecked Sendable {
    var value: Result<T, Error>?
}

/// Group commit: `writeAsync` bodies waiting for the writer run together in one IMMEDIATE
/// transaction, each in its own savepoint (a body that throws is rolled back alone and gets its
/// error), and share one commit: one fsync for a whole group of durable outbox writes instead of
/// one each (a bulk import sends 8–64 creates at once; each must be durable before it is sent).
/// A caller is answered only after the commit, so "written" still means committed; when the
/// commit fails, every body of the group gets that error. A group is durable (synchronous=FULL)
/// when any of its writes asked to be.
final class GroupCommit: @unchecked Sendable {
    struct Job {
        let durable: Bool
        /// Runs the body in a savepoint; true when it succeeded (its changes are to be committed).
        let body: (Database) -> Bool
        /// Called once the group's transaction ended: nil when it committed.
        let finish: (Error?) -> Void
    }

    private let writer: any DatabaseWriter
    private let lock = NSLock()
    private var queue: [Job] = []
    private var scheduled = false
    /// Bounds the latency one group adds to its first write.
    static let maxGroup = 256

    init(writer: any DatabaseWriter) { self.writer = writer }

    func submit(durable: Bool, body: @escaping (Database) -> Bool, finish: @escaping (Error?) -> Void) {
        let schedule: Bool = lock.withLock {
            queue.append(Job(durable: durable, body: body, finish: finish))
            if scheduled { return false }
            scheduled = true
            return true
        }
        if schedule { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
    }

    private func drain(_ db: Database) {
        let jobs: [Job] = lock.withLock {
            let n = min(queue.count, Self.maxGroup)
            let taken = Array(queue.prefix(n))
            queue.removeFirst(n)
            return taken
        }
        var commitError: Error?
        if !jobs.isEmpty {
            let durable = jobs.contains { $0.durable }
            do {
                if durable { try db.run("PRAGMA synchronous = FULL") }
                defer { if durable { try? db.run("PRAGMA synchronous = NORMAL") } }
                try db.inTransaction(.immediate) {
                    var any = false
                    for job in jobs where job.body(db) { any = true }
                    guard any else { return .rollback }
                    try db.run("UPDATE change SET n = n + 1 WHERE id = 1")
                    return .commit
                }
            } catch {
                commitError = error
            }
        }
        // Schedule the next group before answering, so writes submitted meanwhile are not stranded.
        let more: Bool = lock.withLock {
            if queue.isEmpty { scheduled = false; return false }
            return true
        }
        if more { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
        for job in jobs { job.finish(commitError) }
    }
}

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// What a page's rows are positioned against: the same query over the same rows. `tally`
/// changes when rows cross their expiry between two reads, `change` with every write.
struct AnchorKey: Equatable {
    var state: StateFilter
    var term: String
    var keys: [String]
    var descending: Bool
    var change: Int64
    var active: Int

    init(_ s: ListSQL, change: Int64, tally: (active: Int, vault: Int, pending: Int)) {
        state = s.query.state
        term = s.term
        keys = s.keys
        descending = s.descending
        self.change = change
        active = tally.active
    }
}

/// A row of a page read before: its position under the query and its sort key.
struct Anchor {
    var offset: Int
    var values: [DatabaseValue]
    var rowid: Int64

    init(offset: Int, values: [DatabaseValue], rowid: Int64) {
        self.offset = offset
        self.values = values
        self.rowid = rowid
    }
}
