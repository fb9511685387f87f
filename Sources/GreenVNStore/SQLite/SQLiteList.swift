import Foundation
import GRDB
import GreenVNKit

/// The list's reads: pages, counts, text filters and where a row sits, at any size (see
/// BENCHMARKS.md for what each costs at 10k, 100k and 1M rows).
extension SQLiteRegistry {
    // MARK: reads (paged: a screen never loads more than it shows)

    public func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation] {
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
        if !s.term.isEmpty, let ids = try rareOrdered(db, s) {
            // The matches are in order already: only the page's rows are read whole.
            guard offset < ids.count else { return [] }
            let page = Array(ids[offset..<min(ids.count, offset + limit)])
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
            let total = t.rows(s.query.state)
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
                columns = AllocationColumns(Array(row.columnNames))
                let names = Array(row.columnNames)
                keyIndexes = keys.map { k in names.firstIndex(of: k) ?? 0 }
                idIndex = names.firstIndex(of: "id") ?? 0
            }
            out.allocations.append(StoredAllocation(row, columns: columns!))
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
    /// than reading the sort order until a page of them turns up: √(31 × rows), ~5,600 at 1M,
    /// and never under `ListSQL.rareMatches` (~10 ms to read and sort that many).
    /// The answer is kept for the next call (count, then page, then index, for one keystroke).
    func rareMatches(_ db: Database, _ s: ListSQL) throws -> String? {
        let t = try tally(db, nowMs: s.nowMs)
        let change = try changeCounter(db)
        let key = s.trigramQuery.map { "trigrams \($0)" } ?? "scan \(s.query.state.rawValue) \(s.nowMs) \(s.term)"
        if let c = candidates.value, c.key == key, c.change == change, c.active == t.active { return c.ids }
        let ids: [Int64]
        var rare = true
        if let match = s.trigramQuery {
            // At least `rareMatches`: a term whose matches cluster (old rows only) would otherwise
            // be looked for along the sort order through most of the tab (38 ms at 100k rows).
            let few = max(ListSQL.rareMatches, Int((31 * Double(t.active + t.vault)).squareRoot()))
            // ANDing a trigram most rows hold ("gvn", "+91", "ord") reads its whole list (~16 ms
            // at 1M rows): when some of the term's trigrams are rare (a probe reads at most
            // `few` of each list), only two of those are asked for; instr checks the rest.
            var rareParts: [String] = []
            let parts = s.quotedTrigrams
            if parts.count > 2 {
                for part in parts where rareParts.count < 2 {
                    let n = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM (SELECT rowid FROM allocation_search WHERE allocation_search MATCH ? LIMIT ?)"),
                                             arguments: [part, few + 1]) ?? 0
                    if n <= few { rareParts.append(part) }
                }
            }
            let narrowed = rareParts.isEmpty ? match : rareParts.joined(separator: " AND ")
            ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT rowid FROM allocation_search WHERE allocation_search MATCH ? LIMIT ?"),
                                     arguments: [narrowed, few + 1])
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

    /// A rare filter's matches (the candidates under the whole condition), sorted as the list
    /// shows them, or nil when the term is common. Worked out once per keystroke, in one pass
    /// over the candidates: the count, the page and the followed row's index then read the list
    /// (each used to check every candidate again: ~5 ms a pass over 4,000 candidates at 1M).
    func rareOrdered(_ db: Database, _ s: ListSQL) throws -> [Int64]? {
        guard let candidates = try rareMatches(db, s) else { return nil }
        let t = try tally(db, nowMs: s.nowMs)
        let change = try changeCounter(db)
        let key = "\(s.query.state.rawValue) \(s.term) \(s.orderBy)"
        if let o = ordered.value, o.key == key, o.change == change, o.active == t.active { return o.ids }
        let (sql, args) = s.pageOfIdsSQL(candidates)
        let ids = try Int64.fetchAll(db.cachedStatement(sql: sql), arguments: args + [-1, 0])
        ordered.value = (key, change, t.active, ids)
        return ids
    }

    /// Rows under `q`. Without a text filter it is read from the tallies; with one, from the
    /// trigram index when the term's candidates are few, else it is a scan (~0.3 s at 1M rows):
    /// the console asks `count(_:upTo:now:)` instead.
    public func count(_ q: ListQuery, now: Date) throws -> Int {
        let s = ListSQL(q, now: now)
        return try writer.read { db in
            if s.term.isEmpty { return try self.tally(db, nowMs: s.nowMs).rows(q.state) }
            if let ids = try self.rareOrdered(db, s) { return ids.count }
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
    public func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int {
        let s = ListSQL(q, now: now)
        if s.term.isEmpty { return min(limit, try count(q, now: now)) }
        return try writer.read { db in
            if let ids = try self.rareOrdered(db, s) { return min(ids.count, limit) }
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
    public func counts(now: Date) throws -> TabCounts {
        try writer.read { db in try self.tally(db, nowMs: Millis.from(now)) }
    }

    /// `counted` below, remembered: while the change counter (bumped by every committed write
    /// of any process) has not moved, the only rows that change sides as `now` moves are those
    /// whose expiry lies between the two moments, one short index range. The tab counters, the
    /// list's total and the dense/sparse choice are read on every page: at 1M rows counting
    /// them afresh cost ~17 ms each time.
    func tally(_ db: Database, nowMs: Int64) throws -> TabCounts {
        let change = try Int64.fetchOne(db.cachedStatement(sql: "SELECT n FROM change WHERE id = 1")) ?? 0
        if let last = tallies.value, last.change == change {
            if last.nowMs == nowMs { return last.tally }
            let (from, to) = (min(last.nowMs, nowMs), max(last.nowMs, nowMs))
            let moved = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM allocation INDEXED BY allocation_state_expires
                WHERE state = 'active' AND expires_at > ? AND expires_at <= ?
                """), arguments: [from, to]) ?? 0
            let d = nowMs > last.nowMs ? moved : -moved
            let t = TabCounts(active: last.tally.active - d, expired: last.tally.expired + d, vault: last.tally.vault + d,
                              pending: last.tally.pending)
            tallies.value = (change, nowMs, t)
            return t
        }
        let t = try Self.counted(db, nowMs: nowMs)
        tallies.value = (change, nowMs, t)
        return t
    }

    /// Effective counts: the tallies split by one index range over the active rows, counting
    /// whichever side of `now` (expired or not) is the smaller, bounded by a probe.
    static func counted(_ db: Database, nowMs: Int64) throws -> TabCounts {
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
        return TabCounts(active: active - expired, expired: expired, vault: vault + expired, pending: unsettled)
    }

    /// A tab holding fewer than `denseThreshold` rows, and under a quarter of the registry, is
    /// read through its condition's index and sorted; `all` never is. (Half of a 10k registry is
    /// found in order within a page or two: sorting all of it cost 4–6 ms a page.) The tab's
    /// size comes from the tallies.
    func isSparse(_ db: Database, _ s: ListSQL) throws -> Bool {
        let t = try tally(db, nowMs: s.nowMs)
        let n: Int
        switch s.query.state {
        case .all: return false
        case .active, .expired, .vault: n = t.rows(s.query.state)
        }
        return n < ListSQL.denseThreshold && n * 4 < t.active + t.vault
    }

    /// Where the row with `id` sits under `q` (0-based), nil if `q` does not show it: keeps the
    /// cursor on the same allocation across refreshes and re-sorts.
    public func index(of id: String, in q: ListQuery, now: Date) throws -> Int? {
        try position(of: id, in: q, now: now, depth: nil)
    }

    /// `index(of:in:now:)` for the list following its selected row as the operator types a
    /// filter: under a common text filter, nil when more than `ListSQL.followDepth` rows of the
    /// tab lie above the row (each would be checked, ~0.5 µs a row: half a second for a row
    /// deep in a million, on a keystroke); the list then keeps the cursor's row number.
    public func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? {
        try position(of: id, in: q, now: now, depth: ListSQL.followDepth)
    }

    private func position(of id: String, in q: ListQuery, now: Date, depth: Int?) throws -> Int? {
        let s = ListSQL(q, now: now)
        let (cond, args) = s.whereClause()
        return try writer.read { db in
            let keys = s.keys.joined(separator: ", ")
            guard let row = try db.row("SELECT id, \(keys) FROM allocation WHERE greenvn_id = ? AND \(cond)",
                                       [id] + args) else { return nil }
            let (before, beforeArgs) = s.beyond(s.keys.indices.map { row[$0 + 1] }, rowid: row["id"], after: false)
            if !s.term.isEmpty, let ids = try self.rareOrdered(db, s) {
                let rowid: Int64 = row["id"]
                return ids.firstIndex(of: rowid)
            }
            if try self.isSparse(db, s) {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM allocation WHERE \(cond) AND \(before)",
                                        arguments: args + beforeArgs) ?? 0
            }
            // A dense tab is counted along the sort column's index, from the top down to the row
            // (else SQLite may pick the tab's index and read all of it: 360 ms at 1M rows).
            var tab = q
            tab.filter = ""
            let (tabCond, tabArgs) = ListSQL(tab, now: now).whereClause(dense: true)
            if s.term.isEmpty {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM allocation WHERE \(tabCond) AND \(before)",
                                        arguments: tabArgs + beforeArgs) ?? 0
            }
            // A common filter checks every row above this one (see `followIndex`).
            guard let r = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS seen, COALESCE(SUM(instr(search, ?) > 0), 0) AS above
                FROM (SELECT search FROM allocation WHERE \(tabCond) AND \(before) LIMIT ?)
                """, arguments: [s.term] + tabArgs + beforeArgs + [depth ?? -1]) else { return nil }
            let seen: Int = r["seen"]
            if let depth, seen >= depth { return nil }
            return r["above"]
        }
    }
}

extension AnchorKey {
    init(_ s: ListSQL, change: Int64, tally: TabCounts) {
        self.init(state: s.query.state, term: s.term, keys: s.keys, descending: s.descending, change: change, active: tally.active)
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
