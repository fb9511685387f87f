import Foundation
import GRDB

/// Which tab: `.vault` includes active allocations past their expiry ("expired").
public enum StateFilter: String, Sendable, CaseIterable { case active, vault, all }

public enum SortColumn: String, Sendable, CaseIterable {
    case vn, connectionId = "connection_id", aparty, bparty, usage, state, expires, created
}

public struct ListQuery: Equatable, Sendable {
    public var state: StateFilter = .active
    /// Substring over VN, greenvn_id, connection_id, A/B numbers (case-insensitive).
    public var filter: String = ""
    public var sort: SortColumn = .created
    public var descending: Bool = true

    public init(state: StateFilter = .active, filter: String = "", sort: SortColumn = .created, descending: Bool = true) {
        self.state = state
        self.filter = filter
        self.sort = sort
        self.descending = descending
    }
}

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
    let column: String
    let descending: Bool

    /// Above this many rows a tab is dense: its rows are at least this share of the registry,
    /// so an ordered scan finds a page quickly; below it, sorting them is cheap.
    static let denseThreshold = 20_000

    init(_ q: ListQuery, now: Date) {
        query = q
        nowMs = Millis.from(now)
        term = q.filter.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        column = Self.column(q.sort)
        descending = q.descending
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

    /// The tab's rows through the condition's index, at most `limit` of them (the probe).
    func probeSQL(limit: Int) -> (String, StatementArguments)? {
        switch query.state {
        case .all: return nil
        case .active, .vault:
            let (cond, args) = ListSQL(ListQuery(state: query.state), now: Millis.date(nowMs)).whereClause()
            return ("SELECT COUNT(*) FROM (SELECT 1 FROM allocation INDEXED BY allocation_state_expires WHERE \(cond) LIMIT ?)",
                    args + [limit])
        }
    }

    /// The page: sparse → through the condition's index then sorted; dense → in the order index.
    func pageSQL(sparse: Bool) -> (String, StatementArguments) {
        let useDense = !sparse && query.sort != .expires
        let (cond, args) = whereClause(dense: useDense)
        let from = sparse && query.state != .all ? "allocation INDEXED BY allocation_state_expires" : "allocation"
        return ("SELECT * FROM \(from) WHERE \(cond) ORDER BY \(orderBy) LIMIT ? OFFSET ?", args)
    }

    static func column(_ s: SortColumn) -> String {
        switch s {
        case .vn: return "green_vn"
        case .connectionId: return "connection_id"
        case .aparty: return "aparty_numbers"
        case .bparty: return "bparty_numbers"
        case .usage: return "usage"
        case .state: return "state"
        case .expires: return "expires_at"
        case .created: return "created_at"
        }
    }

    var orderBy: String {
        let dir = descending ? "DESC" : "ASC"
        return "\(column) \(dir), id \(dir)"
    }

    /// Rows that come before the row whose sort key is `key` and rowid is `rowid` (NULLs sort
    /// first ascending, last descending, as SQLite does; only connection_id may be NULL).
    func before(key: DatabaseValue, rowid: Int64) -> (String, StatementArguments) {
        let c = column
        if key.isNull {
            return descending
                ? ("(\(c) IS NOT NULL OR (\(c) IS NULL AND id > ?))", [rowid])
                : ("(\(c) IS NULL AND id < ?)", [rowid])
        }
        return descending
            ? ("(\(c) > ? OR (\(c) = ? AND id > ?))", [key, key, rowid])
            : ("(\(c) IS NULL OR \(c) < ? OR (\(c) = ? AND id < ?))", [key, key, rowid])
    }
}
