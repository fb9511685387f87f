import Foundation
import GreenVNStore

/// The SQL of a list query on PostgreSQL, with SQLite's semantics: the tab by effective state at
/// `now`, ties broken by insertion order (`id`) in the same direction, connection_id's NULLs
/// first ascending (through `connection_sort`), a substring filter with no wildcards.
///
/// Pages walk the sort order's index (the tab checked inside it) and seek with one row
/// comparison from a known row (keyset). The vault tab is two legs — deallocated, and active
/// past expiry — each walking its own index range, merged (`UNION ALL`): an `OR` is a filter on
/// every row, 261 ms for the vault by expiry at 1M rows.
struct ListQuerySQL {
    let query: ListQuery
    let nowMs: Int64
    let term: String
    /// Most significant first; `id` breaks the last tie.
    let keys: [String]
    let descending: Bool

    init(_ q: ListQuery, now: Date) {
        query = q
        nowMs = Millis.from(now)
        term = q.filter.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        keys = Self.keys(q.sort)
        descending = q.descending
    }

    private init(_ other: ListQuerySQL, descending: Bool) {
        query = other.query
        nowMs = other.nowMs
        term = other.term
        keys = other.keys
        self.descending = descending
    }

    /// The same rows in the opposite order (a deep page is read from the other end).
    var reversed: ListQuerySQL { ListQuerySQL(self, descending: !descending) }

    static func keys(_ s: SortColumn) -> [String] {
        switch s {
        case .vn: return ["green_vn"]
        case .connectionId: return ["connection_sort"]
        case .aparty: return ["aparty_numbers"]
        case .bparty: return ["bparty_numbers"]
        case .usage: return ["usage"]
        case .state: return ["state", "created_at"]
        case .expires: return ["expires_at"]
        case .created: return ["created_at"]
        }
    }

    /// The tab's conditions: one per leg (the vault has two), each one index range.
    var legs: [(String, [SQLValue])] {
        switch query.state {
        case .active: return [("state = 'active' AND expires_at > ?", [.int(nowMs)])]
        case .expired: return [("state = 'active' AND expires_at <= ?", [.int(nowMs)])]
        case .vault: return [("state = 'vault'", []), ("state = 'active' AND expires_at <= ?", [.int(nowMs)])]
        case .all: return [("TRUE", [])]
        }
    }

    /// The tab as one condition (counts, and lookups of a single row).
    var tab: (String, [SQLValue]) {
        let l = legs
        if l.count == 1 { return l[0] }
        return ("(" + l.map { "(\($0.0))" }.joined(separator: " OR ") + ")", l.flatMap(\.1))
    }

    /// The tab as a condition no index can serve: checked on rows another index found (the
    /// trigram index's candidates), else the planner ANDs in the tab's index — half a million
    /// entries at 1M rows, 60 ms, for a term with a few thousand candidates.
    var tabChecked: (String, [SQLValue]) {
        let (sql, args) = tab
        return (sql.replacingOccurrences(of: "state = ", with: "(state || '') = ").replacingOccurrences(of: "expires_at ", with: "(expires_at + 0) "), args)
    }

    /// The text filter: a substring of the lowercase search text, no wildcards.
    var termCondition: (String, [SQLValue])? {
        term.isEmpty ? nil : ("strpos(search, ?) > 0", [.text(term)])
    }

    var orderBy: String {
        let dir = descending ? "DESC" : "ASC"
        return (keys + ["id"]).map { "\($0) \(dir)" }.joined(separator: ", ")
    }

    /// Rows strictly after (`after`) or before the row with sort key `values` and `id`, in this
    /// order: one row comparison, which the sort index seeks to.
    func beyond(_ values: [SQLValue], id: Int64, after: Bool) -> (String, [SQLValue]) {
        let op = (after != descending) ? ">" : "<"
        let columns = (keys + ["id"]).joined(separator: ", ")
        let marks = Array(repeating: "?", count: keys.count + 1).joined(separator: ", ")
        return ("(\(columns)) \(op) (\(marks))", values + [.int(id)])
    }

    /// `SELECT columns` of the rows under the tab (and `extra` conditions) in this order, from
    /// `offset`, at most `limit`: a walk of the sort index per leg, the legs merged.
    func select(_ columns: String, extra: [(String, [SQLValue])], limit: Int, offset: Int) -> (String, [SQLValue]) {
        let conds = extra.map(\.0)
        let condArgs = extra.flatMap(\.1)
        let l = legs
        if l.count == 1 {
            let w = ([l[0].0] + conds).joined(separator: " AND ")
            return ("SELECT \(columns) FROM allocation WHERE \(w) ORDER BY \(orderBy) LIMIT ? OFFSET ?",
                    l[0].1 + condArgs + [.int(Int64(limit)), .int(Int64(offset))])
        }
        var parts: [String] = []
        var args: [SQLValue] = []
        for leg in l {
            let w = ([leg.0] + conds).joined(separator: " AND ")
            parts.append("(SELECT \(columns), id AS id_, \(keys.enumerated().map { "\($0.element) AS k\($0.offset)_" }.joined(separator: ", ")) FROM allocation WHERE \(w) ORDER BY \(orderBy) LIMIT ?)")
            args += leg.1 + condArgs + [.int(Int64(limit + offset))]
        }
        let outer = (keys.indices.map { "k\($0)_" } + ["id_"]).map { "\($0) \(descending ? "DESC" : "ASC")" }.joined(separator: ", ")
        return ("SELECT * FROM (\(parts.joined(separator: " UNION ALL "))) u ORDER BY \(outer) LIMIT ? OFFSET ?",
                args + [.int(Int64(limit)), .int(Int64(offset))])
    }

    /// How many rows under the tab and `extra` conditions: one count per leg, added.
    func count(extra: [(String, [SQLValue])]) -> (String, [SQLValue]) {
        var parts: [String] = []
        var args: [SQLValue] = []
        for leg in legs {
            parts.append("(SELECT count(*) FROM allocation WHERE \(([leg.0] + extra.map(\.0)).joined(separator: " AND ")))")
            args += leg.1 + extra.flatMap(\.1)
        }
        return ("SELECT (" + parts.joined(separator: " + ") + ")::bigint", args)
    }

    // MARK: the trigram prefilter

    /// The term as the trigram column spells it (see the schema's `search_trgm`).
    var trigramTerm: String {
        String(term.map { c -> Character in
            switch c {
            case "+": return "q"
            case "-": return "z"
            case ":": return "j"
            case "_": return "k"
            case ".": return "x"
            default: return c
            }
        })
    }

    /// Whether the trigram index can narrow this term: pg_trgm reads words of letters and
    /// digits, and a LIKE pattern needs a run of three to give it a trigram.
    var hasTrigrams: Bool {
        var run = 0
        for u in trigramTerm.unicodeScalars {
            if (u.value < 128) && (CharacterSet.alphanumerics.contains(u)) {
                run += 1
                if run >= 3 { return true }
            } else {
                run = 0
            }
        }
        return false
    }

    /// `LIKE` pattern for the trigram column: `%`, `_` and `\` taken literally.
    var trigramPattern: String {
        var p = "%"
        for c in trigramTerm {
            if c == "%" || c == "_" || c == "\\" { p.append("\\") }
            p.append(c)
        }
        return p + "%"
    }
}
