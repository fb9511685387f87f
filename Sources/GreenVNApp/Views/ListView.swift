import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The allocations table: tabs and sort in the frame, a header, the visible window of rows.
enum ListView {
    struct Column {
        let title: String
        let sort: SortColumn?
        let width: Int
        /// Flexible columns grow up to this width with the columns left over.
        let maxWidth: Int
        /// Lower shows first; columns are dropped from the highest when space runs out.
        let priority: Int
        /// Tabs where the column says something (state is always "active" in the active tab).
        let tabs: Set<StateFilter>
        let value: (StoredAllocation, AppState) -> String
    }

    static let columns: [Column] = [
        Column(title: "VN", sort: .vn, width: 13, maxWidth: 13, priority: 0, tabs: [.active, .expired, .vault, .all]) { a, _ in Format.vn(a) },
        Column(title: "connection_id", sort: .connectionId, width: 12, maxWidth: 24, priority: 1, tabs: [.active, .expired, .vault, .all]) { a, _ in a.allocation.connectionId },
        Column(title: "A-party", sort: .aparty, width: 18, maxWidth: 18, priority: 2, tabs: [.active, .expired, .vault, .all]) { a, _ in a.allocation.aparty.summary },
        Column(title: "B-party", sort: .bparty, width: 18, maxWidth: 18, priority: 3, tabs: [.active, .expired, .vault, .all]) { a, _ in a.allocation.bparty.summary },
        Column(title: "usage", sort: .usage, width: 6, maxWidth: 6, priority: 6, tabs: [.active, .expired, .vault, .all]) { a, _ in a.allocation.usage.rawValue },
        Column(title: "state", sort: .state, width: 7, maxWidth: 7, priority: 2, tabs: [.vault, .all]) { a, s in Format.state(a, now: s.now) },
        Column(title: "expires", sort: .expires, width: 7, maxWidth: 7, priority: 2, tabs: [.active, .expired, .all]) { a, s in Format.expiresIn(a, now: s.now) },
        Column(title: "released", sort: nil, width: 11, maxWidth: 11, priority: 5, tabs: [.vault, .all]) { a, s in
            a.releasedAt.map { Format.short($0, s.timeZone) } ?? ""
        },
        Column(title: "preferences", sort: nil, width: 11, maxWidth: 40, priority: 7, tabs: [.active, .expired, .vault, .all]) { a, _ in Format.preferences(a) },
        Column(title: "created", sort: .created, width: 11, maxWidth: 11, priority: 8, tabs: [.active, .expired, .vault, .all]) { a, s in Format.short(a.createdAt, s.timeZone) },
    ]

    /// The columns that fit in `width` for a tab, in display order, with their widths; a blank
    /// separates every two. Core columns (priority < 5) come first and connection_id grows to a
    /// readable 16 before optional columns (usage, preferences, created) may take what is left.
    /// The sort column gets room for its ▲/▼.
    static func fit(width: Int, tab: StateFilter, sort: SortColumn? = nil) -> [(Column, Int)] {
        let candidates = columns.enumerated().filter { $0.element.tabs.contains(tab) }
            .sorted { $0.element.priority < $1.element.priority }
        func minimum(_ col: Column) -> Int {
            col.sort != nil && col.sort == sort ? max(col.width, DisplayWidth.of(col.title) + 2) : col.width
        }
        var widths: [Int: Int] = [:]
        var used = 0
        func add(_ core: Bool) {
            for (i, col) in candidates where (col.priority < 5) == core {
                let need = minimum(col) + (widths.isEmpty ? 0 : 1)
                if used + need <= width { widths[i] = minimum(col); used += need }
            }
        }
        func grow(to limit: (Column) -> Int) {
            for (i, col) in columns.enumerated() {
                guard let w = widths[i], limit(col) > w else { continue }
                let extra = min(width - used, limit(col) - w)
                widths[i] = w + extra
                used += extra
            }
        }
        add(true)
        grow { min($0.maxWidth, 16) }
        add(false)
        grow { $0.maxWidth }
        return columns.enumerated().compactMap { i, col in widths[i].map { (col, $0) } }
    }

    /// The inside of the list's box, and where the columns go in it (the marker column, a
    /// blank, the columns, and a blank before the right border).
    static func geometry(_ s: AppState, in r: Rect) -> (inner: Rect, columns: [(column: Column, x: Int, width: Int)]) {
        let inner = Rect(x: r.x + 1, y: r.y + 1, width: max(0, r.width - 2), height: max(0, r.height - 2))
        var x = inner.x + 2
        var placed: [(column: Column, x: Int, width: Int)] = []
        for (col, w) in fit(width: inner.width - 3, tab: s.list.query.state, sort: s.list.query.sort) {
            placed.append((col, x, w))
            x += w + 1
        }
        return (inner, placed)
    }

    /// "▼" for descending, "▲" for ascending.
    static func arrow(_ q: ListQuery) -> String { q.descending ? "▼" : "▲" }

    static func draw(_ s: AppState, in r: Rect, _ c: inout Canvas) {
        guard r.width > 4, r.height > 3 else { return }
        let focused = (s.mode == .browse && s.focus == .list) || isPrompt(s.mode)
        c.box(r, title: nil, style: focused ? Theme.focusBorder : Theme.border)
        let (inner, cols) = geometry(s, in: r)
        drawFrame(s, in: r, sortShown: cols.contains { $0.column.sort == s.list.query.sort }, &c)
        // Header: the sort column carries the arrow (its width has room for it).
        for (col, x, w) in cols {
            var title = col.title
            if col.sort != nil && col.sort == s.list.query.sort { title += " " + arrow(s.list.query) }
            c.text(title, x: x, y: inner.y, width: w, style: Theme.header)
        }
        let rowsArea = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
        if let message = emptyMessage(s) {
            for (i, line) in message.enumerated() where i < rowsArea.height {
                c.text(line, x: rowsArea.x + 2, y: rowsArea.y + 1 + i, width: rowsArea.width - 3,
                       style: i == 0 ? Theme.header : Theme.plain)
            }
            return
        }
        let busy = Set(s.inFlight.compactMap(\.operation.targetId))
        for i in 0..<rowsArea.height {
            let index = s.list.scrollTop + i
            guard index < s.list.count else { break }
            let y = rowsArea.y + i
            guard let a = s.list.row(at: index) else {
                c.text("…", x: rowsArea.x + 2, y: y, width: 1, style: Theme.dim)
                continue
            }
            let style = rowStyle(a, now: s.now)
            let soon = Format.expiresSoon(a, now: s.now)
            var marker = " ", markerStyle = style
            if busy.contains(a.id) { marker = StatusBar.spinner(s.now) }
            else if a.status == .pending { marker = "…" }
            else if a.status == .idUnknown { marker = "?" }
            else if soon { marker = "!"; markerStyle = Theme.warn }
            c.put(marker, x: rowsArea.x, y: y, style: markerStyle)
            for (col, x, w) in cols {
                let cellStyle = soon && col.sort == .expires ? Theme.warn : style
                c.text(col.value(a, s), x: x, y: y, width: w, style: cellStyle)
            }
            if index == s.list.cursor && a.id == s.list.selectedId {
                c.style(Rect(x: rowsArea.x, y: y, width: rowsArea.width, height: 1)) { $0.reverse = true }
            }
        }
    }

    private static func isPrompt(_ m: Mode) -> Bool {
        if case .filter = m { return true }
        if case .command = m { return true }
        return false
    }

    static func rowStyle(_ a: StoredAllocation, now: Date) -> Style {
        switch a.status {
        case .pending: return Theme.pending
        case .idUnknown: return Theme.idUnknown
        case .known: return a.effectiveState(now: now) == .active ? Theme.plain : Theme.vault
        }
    }

    /// The tabs' labels on the top border and where each is: drawing and clicks share them.
    static func tabs(_ s: AppState, in r: Rect) -> [(tab: StateFilter, label: String, x: Int)] {
        var x = r.x + 2
        var out: [(tab: StateFilter, label: String, x: Int)] = []
        for tab in StateFilter.tabs {
            let label = " \(tab.rawValue) \(s.counts.rows(tab)) "
            guard x + DisplayWidth.of(label) < r.x + r.width - 1 else { break }
            out.append((tab, label, x))
            x += DisplayWidth.of(label) + 1
        }
        return out
    }

    /// Tabs on the top border; on the bottom one the filter, the sort when its column is not
    /// shown (on the top border when there is room), and the position.
    private static func drawFrame(_ s: AppState, in r: Rect, sortShown: Bool, _ c: inout Canvas) {
        var end = r.x + 2
        for (tab, label, x) in tabs(s, in: r) {
            end = x + c.put(label, x: x, y: r.y, style: tab == s.list.query.state ? Theme.tabCurrent : Theme.header)
        }
        var sort = sortShown ? "" : "sorted by \(s.list.query.sort.rawValue) \(arrow(s.list.query))"
        if !sort.isEmpty {
            let label = " \(sort) "
            let x = r.x + r.width - 2 - DisplayWidth.of(label)
            if x > end + 1 { c.put(label, x: x, y: r.y, style: Theme.header); sort = "" }
        }
        let bottom = r.y + r.height - 1
        var right = r.x + r.width - 2
        if let total = s.list.total, total > 0 {
            let pos = " \(min(s.list.cursor + 1, total)) of \(total)\(s.list.totalIsExact ? "" : "+") "
            let px = r.x + r.width - 2 - DisplayWidth.of(pos)
            if px > r.x + r.width / 2 { c.put(pos, x: px, y: bottom, style: Theme.header); right = px - 1 }
        }
        var x = r.x + 2
        var filter = ""
        if !s.list.query.filter.isEmpty { filter = "filter: \(s.list.query.filter)" }
        if case .filter = s.mode { filter = "filtering…" }
        for (text, style) in [(filter, Theme.warn), (sort, Theme.header)] where !text.isEmpty && x < right {
            x += c.text(" \(text) ", x: x, y: bottom, width: right - x, style: style) + 1
        }
    }

    /// What an empty list says instead of rows; nil when there are rows.
    static func emptyMessage(_ s: AppState) -> [String]? {
        if let error = s.list.loadError, s.list.rows.isEmpty { return ["Could not read the registry.", error] }
        guard let total = s.list.total else { return ["Loading…"] }
        guard total == 0 else { return nil }
        let q = s.list.query
        if !q.filter.isEmpty {
            return ["Nothing matches “\(q.filter)” in \(q.state.rawValue).", "Esc clears the filter; / edits it; 3 searches all tabs."]
        }
        let howToAllocate = s.readOnly
            ? "Read-only: allocate from another shell with greenvn allocate."
            : "Press n to allocate a virtual number."
        switch q.state {
        case .vault:
            return ["The vault is empty.", "Deallocated and expired allocations land here; 1 shows the active ones."]
        case .active where s.counts.vault > 0:
            return ["No active allocations.", howToAllocate, "2 shows the \(s.counts.vault) in the vault."]
        default:
            return ["No allocations yet.", howToAllocate]
        }
    }
}
