import Foundation
import GreenVNStore
import TerminalKit

/// The detail pane's focus and scrolling, the sort keys, and the mouse.
extension AppState {
    mutating func detailPane(_ command: Command) -> [Effect] {
        let page = max(1, DetailPane.inner(layout.detail).height - 1)
        switch command {
        case .focusDetail:
            guard selected != nil else { toast(.warn, "No allocation selected"); return [] }
            focus = .detail
        case .focusList: focus = .list
        case .scrollDown: detailScroll += 1
        case .scrollUp: detailScroll -= 1
        case .scrollPageDown: detailScroll += page
        case .scrollPageUp: detailScroll -= page
        case .scrollTop: detailScroll = 0
        case .scrollBottom: detailScroll = .max
        default: break
        }
        detailScroll = min(max(0, detailScroll), DetailPane.maxScroll(self))
        return []
    }

    /// `o`: the next column the list shows (a column narrowed away is not a choice).
    mutating func sortByNextShownColumn() -> [Effect] {
        let shown = ListView.geometry(self, in: layout.list).columns.compactMap(\.column.sort)
        guard !shown.isEmpty else { return [] }
        let next = shown[((shown.firstIndex(of: list.query.sort) ?? -1) + 1) % shown.count]
        return setSort { $0.sort = next; $0.descending = next == .created }
    }

    /// A sort change, kept for the next session.
    mutating func setSort(_ change: (inout ListQuery) -> Void) -> [Effect] {
        let effects = setQuery(change)
        guard !effects.isEmpty else { return [] }
        return effects + [.saveSettings(ConsoleSettings(sort: list.query.sort, descending: list.query.descending))]
    }

    /// A left click: a row selects it, a tab shows it, a column title sorts by it (again:
    /// the other way), the detail pane takes the focus. Anything open on top takes no clicks.
    mutating func click(x: Int, y: Int) -> [Effect] {
        guard mode == .browse, confirm == nil, !layout.tooSmall else { return [] }
        let listRect = layout.list
        if contains(layout.detail, x, y) {
            return selected == nil ? [] : detailPane(.focusDetail)
        }
        guard contains(listRect, x, y) else { return [] }
        focus = .list
        if y == listRect.y {
            for (tab, label, tx) in ListView.tabs(self, in: listRect) where x >= tx && x < tx + DisplayWidth.of(label) {
                return setQuery { $0.state = tab }
            }
            return []
        }
        let (inner, columns) = ListView.geometry(self, in: listRect)
        if y == inner.y {
            for (column, cx, width) in columns where x >= cx && x < cx + width {
                guard let sort = column.sort else { return [] }
                if sort == list.query.sort { return setSort { $0.descending.toggle() } }
                return setSort { $0.sort = sort; $0.descending = sort == .created }
            }
            return []
        }
        let row = y - (inner.y + 1)
        guard row >= 0, row < inner.height - 1, list.scrollTop + row < list.count else { return [] }
        return moveCursor(to: list.scrollTop + row)
    }

    private func contains(_ r: Rect, _ x: Int, _ y: Int) -> Bool {
        x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
    }
}
