import Foundation
import GRDB

/// The SQL of a list query. Effective state is computed here from `now`: no network, no sweep.
/// Ties are broken by rowid (insertion order) in the same direction, so paging is stable.
///
/// Plans at 1M rows: a tab whose rows are few (an active tab of recent allocations among a
/// million expired ones) is read through its condition's index and sorted (`sparse`); a tab
/// whose rows are many is read in the order of the sort column's index, checking the condition
/// inside that index (`dense`: the condition's columns get a unary + so SQLite does not pick the
/// condition's index and then sort a million rows). A bounded probe tells which.
struct ListSQL {
    let query: ListQuery
    let nowMs: Int64
    let term: String
    /// Most significant first; rowid (`id`) breaks the last tie, in the same direction.
    let keys: [String]
    let descending: Bool

    /// Above this many rows a tab is dense: its rows are at least this share of the registry,
    /// so an ordered scan finds a page quickly; below it, sorting them is cheap.
    static let denseThreshold = 20_000
    /// A text filter matching at most this many rows is served from its list of rows (the
    /// trigram index's candidates)…
    static let rareMatches = 5_000
    /// …or, for a term under 3 characters, from one sequential scan that stops at this many
    /// (a common short term is better read in order: a page needs a few hundred rows of it).
    static let rareShortMatches = 1_000
    /// An exact count checks the trigram index's candidates one by one when they are fewer than
    /// this (~2 µs each), else it reads the whole tab (~0.4 µs a row, 1M rows: ~0.4 s).
    static let candidatesToCheck = 150_000
    /// `Registry.followIndex(of:)` under a common text filter reads at most this many rows
    /// above the followed one (~5 ms).
    static let followDepth = 10_000

    init(_ q: ListQuery, now: Date) {
        query = q
        nowMs = Millis.from(now)
        term = q.filter.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        keys = Self.keys(q.sort)
        descending = q.descending
    }

    private init(_ other: ListSQL, descending: Bool) {
        query = other.query
        nowMs = other.nowMs
        term = other.term
        keys = other.keys
        self.descending = descending
    }

    /// The same rows in the opposite order (deep pages are read from the other end).
    var reversed: ListSQL { ListSQL(self, descending: !descending) }

    static func keys(_ s: SortColumn) -> [String] {
        switch s {
        case .vn: return ["green_vn"]
        case .connectionId: return ["connection_id"]
        case .aparty: return ["aparty_numbers"]
        case .bparty: return ["bparty_numbers"]
        case .usage: return ["usage"]
        case .state: return ["state", "created_at"]        // two values: creation orders within each
        case .expires: return ["expires_at"]
        case .created: return ["created_at"]
        }
    }

    /// The tab condition (`dense`: not usable by an index) and the text filter.
    func whereClause(dense: Bool = false) -> (String, StatementArguments) {
        let p = dense ? "+" : ""
        var conditions: [String] = []
        var args: StatementArguments = []
        switch query.state {
        case .active:
            conditions.append("\(p)state = 'active' AND \(p)expires_at > ?")
            args += [nowMs]
        case .expired:
            conditions.append("\(p)state = 'active' AND \(p)expires_at <= ?")
            args += [nowMs]
        case .vault:
            conditions.append("(\(p)state = 'vault' OR (\(p)state = 'active' AND \(p)expires_at <= ?))")
            args += [nowMs]
        case .all:
            break
        }
        if !term.isEmpty {
            // instr over a lowercase column: no LIKE wildcards to escape, and faster than LIKE.
            conditions.append("instr(search, ?) > 0")
            args += [term]
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), args)
    }

    /// How many rows the tab holds, up to `limit`, through the condition's index (the probe).
    func probeSQL(limit: Int) -> (String, StatementArguments)? {
        switch query.state {
        case .all: return nil
        case .active, .expired, .vault:
            let (cond, args) = ListSQL(ListQuery(state: query.state), now: Millis.date(nowMs)).whereClause()
            return ("SELECT COUNT(*) FROM (SELECT 1 FROM allocation INDEXED BY allocation_state_expires WHERE \(cond) LIMIT ?)",
                    args + [limit])
        }
    }

    /// The page: sparse → through the condition's index, then sorted; dense → in the order of
    /// the sort column's index, the condition checked inside it. The active tab by expiry is
    /// both at once (its condition's index is ordered by expiry).
    /// `beyond`: an extra condition (rows past a known row, see `beyond(_:rowid:after:)`).
    func pageSQL(sparse: Bool, beyond: (String, StatementArguments)? = nil) -> (String, StatementArguments) {
        let activeByExpiry = query.state == .active && keys == ["expires_at"]
        var (cond, args) = whereClause(dense: !sparse && !activeByExpiry)
        if let (extra, extraArgs) = beyond {
            cond += " AND " + extra
            args += extraArgs
        }
        let from = sparse && query.state != .all ? "allocation INDEXED BY allocation_state_expires" : "allocation"
        return ("SELECT * FROM \(from) WHERE \(cond) ORDER BY \(orderBy) LIMIT ? OFFSET ?", args)
    }

    /// Rows strictly after (`after`) or before the row whose sort key values are `values` and
    /// rowid `rowid`, in this query's order. Written as `k <= v AND (k < v OR …)` so SQLite seeks
    /// the sort column's index to the row instead of scanning (an `OR` at the top level makes it
    /// read every row). NULLs sort first ascending, as in SQLite; only connection_id (a single
    /// key) may be NULL.
    func beyond(_ values: [DatabaseValue], rowid: Int64, after: Bool) -> (String, StatementArguments) {
        let greater = after != descending
        let (op, opEq) = greater ? (">", ">=") : ("<", "<=")
        if keys.count == 1, values[0].isNull {
            let c = keys[0]
            return greater ? ("((\(c) IS NULL AND id > ?) OR \(c) IS NOT NULL)", [rowid]) : ("(\(c) IS NULL AND id < ?)", [rowid])
        }
        func term(_ i: Int) -> (String, StatementArguments) {
            if i == keys.count { return ("id \(op) ?", [rowid]) }
            let (rest, restArgs) = term(i + 1)
            let c = keys[i]
            return ("\(c) \(opEq) ? AND (\(c) \(op) ? OR \(rest))", [values[i], values[i]] + restArgs)
        }
        let (sql, args) = term(0)
        if keys.count == 1 && keys[0] == "connection_id" && !greater {
            return ("((\(sql)) OR connection_id IS NULL)", args)   // NULLs come after every value in this direction
        }
        return ("(\(sql))", args)
    }

    /// The trigram index's query for the text filter: every trigram of the term (so a row
    /// holding the term holds them all); nil under 3 characters, which no trigram covers.
    var trigramQuery: String? {
        let parts = quotedTrigrams
        return parts.isEmpty ? nil : parts.joined(separator: " AND ")
    }

    /// The term's distinct trigrams, each quoted as an FTS5 string; empty under 3 characters.
    var quotedTrigrams: [String] {
        let scalars = Array(term.unicodeScalars)
        guard scalars.count >= 3 else { return [] }
        var seen = Set<String>()
        var parts: [String] = []
        for i in 0...(scalars.count - 3) {
            var t = String.UnicodeScalarView()
            t.append(contentsOf: scalars[i..<(i + 3)])
            let trigram = String(t)
            // Quotes doubled per scalar: a `"` followed by a combining mark is one Character,
            // which String's replacing would not see.
            var quoted = String.UnicodeScalarView()
            for s in t { quoted.append(s); if s == "\"" { quoted.append(s) } }
            if seen.insert(trigram).inserted { parts.append("\"" + String(quoted) + "\"") }
        }
        return parts
    }

    /// The rowids of a page of the rows among `ids` (a JSON array of rowids) that are under the
    /// query, in order (each read by rowid: NOT INDEXED keeps SQLite from scanning the tab instead).
    func pageOfIdsSQL(_ ids: String) -> (String, StatementArguments) {
        let (cond, args) = whereClause()
        return ("SELECT id FROM allocation NOT INDEXED WHERE id IN (SELECT value FROM json_each(?)) AND \(cond) ORDER BY \(orderBy) LIMIT ? OFFSET ?",
                [ids] + args)
    }

    var orderBy: String {
        let dir = descending ? "DESC" : "ASC"
        return (keys + ["id"]).map { "\($0) \(dir)" }.joined(separator: ", ")
    }

    /// Rows that come before the one whose sort key values are `values` and rowid `rowid`.
    /// NULLs sort first ascending, last descending, as in SQLite; only connection_id (a single
    /// key) may be NULL.
    func before(values: [DatabaseValue], rowid: Int64) -> (String, StatementArguments) {
        if keys.count == 1 {
            let c = keys[0], key = values[0]
            if key.isNull {
                return descending
                    ? ("(\(c) IS NOT NULL OR (\(c) IS NULL AND id > ?))", [rowid])
                    : ("(\(c) IS NULL AND id < ?)", [rowid])
            }
            return descending
                ? ("(\(c) > ? OR (\(c) = ? AND id > ?))", [key, key, rowid])
                : ("(\(c) IS NULL OR \(c) < ? OR (\(c) = ? AND id < ?))", [key, key, rowid])
        }
        let op = descending ? ">" : "<"
        var terms: [String] = []
        var args: StatementArguments = []
        for i in 0...keys.count {
            var parts: [String] = []
            for j in 0..<i { parts.append("\(keys[j]) = ?"); args += [values[j]] }
            if i < keys.count { parts.append("\(keys[i]) \(op) ?"); args += [values[i]] } else { parts.append("id \(op) ?"); args += [rowid] }
            terms.append("(" + parts.joined(separator: " AND ") + ")")
        }
        return ("(" + terms.joined(separator: " OR ") + ")", args)
    }
}
