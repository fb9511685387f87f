import Foundation
import GreenVNKit
import GreenVNStore

/// Load the rows around the cursor for one query. `follow` keeps an allocation under the
/// cursor wherever it moved (re-sort, refresh, another process's write).
struct PageRequest: Equatable, Sendable {
    var query: ListQuery
    var follow: String?
    var cursor: Int
    var scrollTop: Int
    var visible: Int
    var generation: Int
    /// Count every row under a text filter (G needs the real end), not just up to `countBound`.
    var exactTotal = false

    /// Rows loaded above and below the visible window, so j/k rarely waits for the registry.
    var margin: Int { max(8, visible) }

    /// Under a text filter the rows are counted only this far (at least): an exact count of a
    /// common term reads a million rows, far more than one keystroke may cost.
    var countBound: Int { max(PageRequest.minimumCountBound, cursor + 2 * (visible + 2 * margin)) }
    static let minimumCountBound = 500
}

struct PageResult: Equatable, Sendable {
    var request: PageRequest
    var total: Int
    /// Row of `request.follow` under the query, if it is still there.
    var followIndex: Int?
    var offset: Int
    var rows: [StoredAllocation]
    var counts: TabCounts
    /// False when `total` is only a lower bound (a text filter matching at least that many rows).
    var exact = true
}

enum PageLoader {
    /// Reads the rows around the cursor (or around `follow`, wherever it is now). Only the
    /// window and a margin are read, so a registry of a million rows costs the same.
    static func load(_ r: PageRequest, from registry: ListReading, now: Date) throws -> PageResult {
        // A text filter is counted only as far as the screen needs (a lower bound when reached).
        let bounded = !r.exactTotal && !r.query.filter.isEmpty
        let total = bounded ? try registry.count(r.query, upTo: r.countBound, now: now) : try registry.count(r.query, now: now)
        let exact = !bounded || total < r.countBound
        let limit = r.visible + 2 * r.margin
        func window(cursor: Int) -> (scrollTop: Int, offset: Int) {
            var top = r.scrollTop
            if cursor < top { top = cursor }
            if cursor >= top + r.visible { top = cursor - r.visible + 1 }
            top = min(max(0, top), max(0, total - r.visible))
            return (top, max(0, top - r.margin))
        }
        let cursor = r.exactTotal ? total - 1 : r.cursor   // G: the end, wherever the followed row is
        var offset = window(cursor: min(cursor, max(0, total - 1))).offset
        var rows = try registry.page(r.query, offset: offset, limit: limit, now: now)
        var followIndex: Int? = nil
        if let id = r.follow, !r.exactTotal {
            if let i = rows.firstIndex(where: { $0.id == id }) {
                followIndex = offset + i
            } else if let i = try registry.followIndex(of: id, in: r.query, now: now) {
                followIndex = i
                offset = window(cursor: i).offset
                rows = try registry.page(r.query, offset: offset, limit: limit, now: now)
            }
        }
        return PageResult(request: r, total: total, followIndex: followIndex, offset: offset, rows: rows,
                          counts: try registry.counts(now: now), exact: exact)
    }
}
