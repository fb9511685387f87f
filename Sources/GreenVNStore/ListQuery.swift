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
struct ListSQL {
    let whereClause: String
    let arguments: StatementArguments
    let column: String
    let descending: Bool

    init(_ q: ListQuery, now: Date) {
        var conditions: [String] = []
        var args: StatementArguments = []
        let nowMs = Millis.from(now)
        switch q.state {
        case .active:
            conditions.append("state = 'active' AND (expires_at IS NULL OR expires_at > ?)")
            args += [nowMs]
        case .vault:
            conditions.append("(state = 'vault' OR expires_at <= ?)")
            args += [nowMs]
        case .all:
            break
        }
        let term = q.filter.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if !term.isEmpty {
            // instr over a lowercase column: no LIKE wildcards to escape, measurably faster.
            conditions.append("instr(search, ?) > 0")
            args += [term]
        }
        whereClause = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        arguments = args
        column = Self.column(q.sort)
        descending = q.descending
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
    /// first ascending, last descending, as SQLite does).
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
