import Foundation

/// Which tab: `.vault` includes active allocations past their expiry; `.expired` is those alone
/// (active for the registry, past the end of their policy: Lead Assist has moved them to the
/// vault by now, not yet confirmed).
public enum StateFilter: String, Sendable, CaseIterable { case active, expired, vault, all }

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

/// What a page's rows are positioned against (each backend keeps the rows of pages it read, to
/// seek from): the same query over the same rows. `active` changes when rows cross their expiry
/// between two reads, `change` with every write.
public struct AnchorKey: Equatable, Sendable {
    public var state: StateFilter
    public var term: String
    /// The sort's columns, most significant first.
    public var keys: [String]
    public var descending: Bool
    public var change: Int64
    public var active: Int

    public init(state: StateFilter, term: String, keys: [String], descending: Bool, change: Int64, active: Int) {
        self.state = state
        self.term = term
        self.keys = keys
        self.descending = descending
        self.change = change
        self.active = active
    }
}
