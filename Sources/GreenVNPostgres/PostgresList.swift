import Foundation
import GreenVNStore

/// What the list's reads remember between calls, keyed by the change counter (a sequence every
/// write bumps before and after its commit; read before the data it guards, so a commit the
/// data missed always moves it again) and, where rows crossing their expiry matter, the number
/// of active rows.
final class ListCaches: @unchecked Sendable {
    /// The tab counters at a moment.
    let tallies = Locked<(change: Int64, nowMs: Int64, tally: TabCounts)?>(nil)
    /// Rows of pages read before, to seek from (see `pageRows`).
    let anchors = Locked<(key: AnchorKey, list: [Anchor])?>(nil)
    /// A rare filter's matches, in the list's order (nil: the term is common).
    let ordered = Locked<(key: FilterKey, ids: [Int64]?)?>(nil)
}

extension AnchorKey {
    init(_ s: ListQuerySQL, change: Int64, tally: TabCounts) {
        self.init(state: s.query.state, term: s.term, keys: s.keys, descending: s.descending, change: change, active: tally.active)
    }
}

struct FilterKey: Equatable {
    var state: StateFilter
    var term: String
    var orderBy: String
    var change: Int64
    var active: Int
}

/// A row of a page read before: where it sits under the query, and its sort key.
struct Anchor {
    var offset: Int
    var values: [SQLValue]
    var id: Int64
}

/// The list's reads (see ListQuerySQL for their SQL): pages, counts, text filters and where a
/// row sits, the same answers as the SQLite backend's.
extension PostgresRegistry {
    public func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation] {
        let s = ListQuerySQL(q, now: now)
        let (offset, limit) = (max(0, offset), max(0, limit))
        if limit == 0 { return [] }
        return try reading { c in try self.pageRows(c, s, offset: offset, limit: limit) }
    }

    /// A page is read from wherever it is cheapest to reach: the start, the far end (the last
    /// page of an unfiltered tab costs what the first does), or a row of a page read before.
    func pageRows(_ c: PGConnection, _ s: ListQuerySQL, offset: Int, limit: Int) throws -> [StoredAllocation] {
        let change = try changeCounter(c)
        let t = try tally(c, s.nowMs, change: change)
        if !s.term.isEmpty, let ids = try rareOrdered(c, s, change: change, tally: t) {
            guard offset < ids.count else { return [] }
            let page = Array(ids[offset..<min(ids.count, offset + limit)])
            let rows = try decode(c, "SELECT * FROM allocation WHERE id = ANY($1::bigint[])", [.text(Self.array(page))], keys: s.keys)
            let at = Dictionary(uniqueKeysWithValues: page.enumerated().map { ($0.element, $0.offset) })
            return zip(rows.allocations, rows.positions).sorted { at[$0.1.id] ?? 0 < at[$1.1.id] ?? 0 }.map(\.0)
        }
        let key = AnchorKey(s, change: change, tally: t)
        let filter = s.termCondition.map { [$0] } ?? []
        var cost = offset
        var read: () throws -> Decoded = {
            let (sql, args) = s.select("*", extra: filter, limit: limit, offset: offset)
            return try self.decode(c, Placeholders.numbered(sql), args, keys: s.keys)
        }
        if s.term.isEmpty {
            let total = t.rows(s.query.state)
            if offset >= total { return [] }
            if total - offset - limit < cost {
                cost = max(0, total - offset - limit)
                read = {
                    let (sql, args) = s.reversed.select("*", extra: [], limit: min(limit, total - offset), offset: max(0, total - offset - limit))
                    return try self.decode(c, Placeholders.numbered(sql), args, keys: s.keys).reversed()
                }
            }
        }
        let known = caches.anchors.value
        for a in known?.key == key ? known!.list : [] {
            if offset > a.offset, offset - a.offset - 1 < cost {
                cost = offset - a.offset - 1
                read = {
                    let (sql, args) = s.select("*", extra: filter + [s.beyond(a.values, id: a.id, after: true)], limit: limit, offset: offset - a.offset - 1)
                    return try self.decode(c, Placeholders.numbered(sql), args, keys: s.keys)
                }
            } else if offset + limit <= a.offset, a.offset - offset - limit < cost {
                cost = a.offset - offset - limit
                read = {
                    let r = s.reversed
                    let (sql, args) = r.select("*", extra: filter + [s.beyond(a.values, id: a.id, after: false)], limit: limit, offset: a.offset - offset - limit)
                    return try self.decode(c, Placeholders.numbered(sql), args, keys: s.keys).reversed()
                }
            }
        }
        let rows = try read()
        if var first = rows.positions.first, var last = rows.positions.last {
            first.offset = offset
            last.offset = offset + rows.positions.count - 1
            caches.anchors.update { cached in
                var list = cached?.key == key ? cached!.list : []
                list.removeAll { $0.offset == first.offset || $0.offset == last.offset }
                list += [first, last]
                cached = (key, Array(list.suffix(16)))
            }
        }
        return rows.allocations
    }

    struct Decoded {
        var allocations: [StoredAllocation] = []
        var positions: [Anchor] = []
        func reversed() -> Decoded { Decoded(allocations: allocations.reversed(), positions: positions.reversed()) }
    }

    /// Rows of `allocation` and where each sits (its sort key and id).
    func decode(_ c: PGConnection, _ sql: String, _ args: [SQLValue], keys: [String]) throws -> Decoded {
        let result = try c.run(sql, args)
        var out = Decoded()
        let keyIndexes = keys.map { result.columns[$0] ?? 0 }
        let idIndex = result.columns["id"] ?? 0
        for values in result.rows {
            out.allocations.append(StoredAllocation(SQLRow(columns: result.columns, values: values)))
            out.positions.append(Anchor(offset: 0, values: keyIndexes.map { values[$0] }, id: values[idIndex].int ?? 0))
        }
        return out
    }

    static func array(_ ids: [Int64]) -> String { "{" + ids.map(String.init).joined(separator: ",") + "}" }

    func changeCounter(_ c: PGConnection) throws -> Int64 {
        try c.run("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM registry_change", []).int() ?? 0
    }

    // MARK: counts

    public func count(_ q: ListQuery, now: Date) throws -> Int {
        let s = ListQuerySQL(q, now: now)
        return try reading { c in
            let change = try self.changeCounter(c)
            let t = try self.tally(c, s.nowMs, change: change)
            guard let filter = s.termCondition else { return t.rows(q.state) }
            if let ids = try self.rareOrdered(c, s, change: change, tally: t) { return ids.count }
            let (sql, args) = s.count(extra: [filter])
            return Int(try c.run(Placeholders.numbered(sql), args).int() ?? 0)
        }
    }

    public func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int {
        let s = ListQuerySQL(q, now: now)
        guard let filter = s.termCondition else { return min(limit, try count(q, now: now)) }
        return try reading { c in
            let change = try self.changeCounter(c)
            let t = try self.tally(c, s.nowMs, change: change)
            if let ids = try self.rareOrdered(c, s, change: change, tally: t) { return min(ids.count, limit) }
            // a common term: stops as soon as `limit` rows are found
            let (tab, tabArgs) = s.tab
            return Int(try c.run(Placeholders.numbered("SELECT count(*) FROM (SELECT 1 FROM allocation WHERE \(tab) AND \(filter.0) LIMIT ?) m"),
                                 tabArgs + filter.1 + [.int(Int64(max(0, limit)))]).int() ?? 0)
        }
    }

    public func counts(now: Date) throws -> TabCounts {
        let nowMs = Millis.from(now)
        return try reading { c in try self.tally(c, nowMs, change: try self.changeCounter(c)) }
    }

    /// The tab counters from the trigger-kept tallies (`tab_counts`), remembered: while the
    /// change counter has not moved, only rows whose expiry lies between two moments change
    /// sides as `now` moves — one short index range.
    func tally(_ c: PGConnection, _ nowMs: Int64, change: Int64) throws -> TabCounts {
        if let last = caches.tallies.value, last.change == change {
            if last.nowMs == nowMs { return last.tally }
            let (from, to) = (min(last.nowMs, nowMs), max(last.nowMs, nowMs))
            let moved = Int(try c.run("SELECT count(*) FROM allocation WHERE state = 'active' AND expires_at > $1 AND expires_at <= $2",
                                      [.int(from), .int(to)]).int() ?? 0)
            let d = nowMs > last.nowMs ? moved : -moved
            let t = TabCounts(active: last.tally.active - d, expired: last.tally.expired + d, vault: last.tally.vault + d,
                              pending: last.tally.pending)
            caches.tallies.value = (change, nowMs, t)
            return t
        }
        let r = try c.run("SELECT active, expired, vault, pending FROM tab_counts($1)", [.int(nowMs)])
        let v = r.first ?? []
        func n(_ i: Int) -> Int { i < v.count ? Int(v[i].int ?? 0) : 0 }
        let t = TabCounts(active: n(0), expired: n(1), vault: n(2), pending: n(3))
        caches.tallies.value = (change, nowMs, t)
        return t
    }

    // MARK: where a row sits

    public func index(of id: String, in q: ListQuery, now: Date) throws -> Int? {
        try position(of: id, in: q, now: now, depth: nil)
    }

    /// `index`, or nil when a common text filter would make it read more than `followDepth`
    /// rows above the row (the list then keeps the cursor's row number).
    public func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? {
        try position(of: id, in: q, now: now, depth: Self.followDepth)
    }

    /// How far `followIndex` reads above a row under a common filter (~5 ms).
    public static let followDepth = 10_000

    private func position(of id: String, in q: ListQuery, now: Date, depth: Int?) throws -> Int? {
        let s = ListQuerySQL(q, now: now)
        return try reading { c in
            let (tab, tabArgs) = s.tab
            let filter = s.termCondition
            let cond = ([tab] + (filter.map { [$0.0] } ?? [])).joined(separator: " AND ")
            let found = try c.run(Placeholders.numbered("SELECT id, \(s.keys.joined(separator: ", ")) FROM allocation WHERE greenvn_id = ? AND \(cond)"),
                                  [.text(id)] + tabArgs + (filter?.1 ?? []))
            guard let row = found.first, let rowId = row[0].int else { return nil }
            let values = Array(row.dropFirst())
            let before = s.beyond(values, id: rowId, after: false)
            let change = try self.changeCounter(c)
            let t = try self.tally(c, s.nowMs, change: change)
            if filter != nil, let ids = try self.rareOrdered(c, s, change: change, tally: t) { return ids.firstIndex(of: rowId) }
            let index: Int
            if let filter {
                // A common filter checks every row above this one, at most `depth` of them.
                let r = try c.run(Placeholders.numbered("""
                    SELECT count(*), count(*) FILTER (WHERE strpos(search, ?) > 0) FROM
                      (SELECT search FROM allocation WHERE \(tab) AND \(before.0) LIMIT ?) m
                    """), filter.1 + tabArgs + before.1 + [depth.map { .int(Int64($0)) } ?? .null])
                let seen = Int(r.int(0, 0) ?? 0)
                if let depth, seen >= depth { return nil }
                index = Int(r.int(0, 1) ?? 0)
            } else {
                let (sql, args) = s.count(extra: [before])
                index = Int(try c.run(Placeholders.numbered(sql), args).int() ?? 0)
            }
            // The list reads the window around this row next: from here, not from the top.
            let key = AnchorKey(s, change: change, tally: t)
            self.caches.anchors.update { cached in
                var list = cached?.key == key ? cached!.list : []
                list.removeAll { $0.offset == index }
                list.append(Anchor(offset: index, values: values, id: rowId))
                cached = (key, Array(list.suffix(16)))
            }
            return index
        }
    }
}
