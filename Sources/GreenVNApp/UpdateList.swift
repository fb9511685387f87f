import Foundation
import GreenVNStore

/// The list's window onto the registry: cursor, scrolling, paging, stable selection.
extension AppState {
    mutating func moveCursor(to target: Int) -> [Effect] {
        guard list.count > 0 else { return [] }
        list.cursor = min(max(target, 0), list.count - 1)
        return scrollToCursor()
    }

    /// Keeps the cursor on screen, selects the row under it, and asks for rows the window
    /// is missing.
    mutating func scrollToCursor() -> [Effect] {
        let visible = layout.listVisibleRows
        let count = list.count
        list.cursor = min(max(list.cursor, 0), max(0, count - 1))
        if list.cursor < list.scrollTop { list.scrollTop = list.cursor }
        if list.cursor >= list.scrollTop + visible { list.scrollTop = list.cursor - visible + 1 }
        list.scrollTop = min(max(0, list.scrollTop), max(0, count - visible))

        var effects: [Effect] = []
        let id = list.row(at: list.cursor)?.id
        if id != list.selectedId {
            list.selectedId = id
            detail = nil
            detailScroll = 0
            if id == nil { focus = .list }
            if let id { effects.append(.loadDetail(id: id)) }
        } else if let id, detail?.id != id {
            effects.append(.loadDetail(id: id))
        }
        if list.total != nil && (!windowLoaded || nearLoadedEdge || nearCountedEnd) { effects += reload() }
        return effects
    }

    /// The visible rows are loaded but the cursor is within half a margin of the loaded rows'
    /// edge (where more rows exist): read the next window now, while the screen can still be
    /// drawn from memory, so moving on never waits for the registry.
    var nearLoadedEdge: Bool {
        guard windowLoaded, list.count > 0 else { return false }
        let visible = layout.listVisibleRows
        let slack = max(1, max(8, visible) / 2)
        let top = list.scrollTop, bottom = min(list.scrollTop + visible, list.count)
        let loadedEnd = list.offset + list.rows.count
        return (list.offset > 0 && top - list.offset < slack) || (loadedEnd < list.count && loadedEnd - bottom < slack)
    }

    /// Near the last row counted so far of a filter that was not counted to the end: read on,
    /// so the count grows ahead of the cursor.
    var nearCountedEnd: Bool {
        !list.totalIsExact && list.cursor + 2 * layout.listVisibleRows >= list.count
    }

    /// True when every visible row is in memory.
    var windowLoaded: Bool {
        let end = min(list.scrollTop + layout.listVisibleRows, list.count)
        guard end > list.scrollTop else { return true }
        return list.scrollTop >= list.offset && end <= list.offset + list.rows.count
    }

    /// Asks for the page around the cursor, keeping the selected allocation selected.
    mutating func reload(exactTotal: Bool = false) -> [Effect] {
        list.generation += 1
        return [.loadPage(PageRequest(query: list.query, follow: list.selectedId, cursor: list.cursor,
                                      scrollTop: list.scrollTop, visible: layout.listVisibleRows,
                                      generation: list.generation, exactTotal: exactTotal))]
    }

    /// G: the last row. Under a filter counted only part of the way, the end is not known yet:
    /// count to the end first (the answer moves the cursor there).
    mutating func moveToBottom() -> [Effect] {
        if list.totalIsExact { return moveCursor(to: list.count - 1) }
        return reload(exactTotal: true)
    }

    mutating func setQuery(_ change: (inout ListQuery) -> Void) -> [Effect] {
        var q = list.query
        change(&q)
        guard q != list.query else { return [] }
        list.query = q
        return reload()
    }

    mutating func apply(_ r: PageResult) -> [Effect] {
        guard r.request.generation == list.generation else { return [] }   // a newer request is on its way
        list.total = r.total
        list.totalIsExact = r.exact
        list.offset = r.offset
        list.rows = r.rows
        list.loadedQuery = r.request.query
        list.loadError = nil
        counts = r.counts
        if let id = list.selectedId {
            if let i = r.rows.firstIndex(where: { $0.id == id }) {
                list.cursor = r.offset + i
            } else if id == r.request.follow, let i = r.followIndex {
                list.cursor = i
            }
            // Gone from this query (deallocated, filtered out): the cursor keeps its row number.
        }
        if r.request.exactTotal && r.request.query == list.query {
            list.cursor = max(0, r.total - 1)   // G once the end was counted
        }
        let before = list.generation
        var effects = scrollToCursor()
        // Asking again for the very window just answered would loop if the registry's count
        // and pages disagree for a moment; its observer reloads once the writes settle.
        if list.generation != before && r.request.cursor == list.cursor && r.request.scrollTop == list.scrollTop {
            effects.removeAll { if case .loadPage = $0 { return true } else { return false } }
            list.generation = before
        }
        return effects
    }
}
