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
