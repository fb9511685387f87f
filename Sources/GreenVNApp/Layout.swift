import TerminalKit

/// Where everything goes for one terminal size. Shared by update (page sizes, scrolling)
/// and render, so they never disagree.
struct Layout: Equatable {
    static let minWidth = 60
    static let minHeight = 16
    /// From this width the detail pane sits beside the list, below it otherwise.
    static let sideBySideWidth = 110
    static let detailWidth = 40

    let width: Int
    let height: Int

    var tooSmall: Bool { width < Layout.minWidth || height < Layout.minHeight }

    var status: Rect { Rect(x: 0, y: 0, width: width, height: 1) }
    var body: Rect { Rect(x: 0, y: 1, width: width, height: max(0, height - 2)) }
    var bottom: Rect { Rect(x: 0, y: height - 1, width: width, height: 1) }

    var sideBySide: Bool { width >= Layout.sideBySideWidth }

    var list: Rect {
        let b = body
        if sideBySide { return Rect(x: 0, y: b.y, width: b.width - Layout.detailWidth, height: b.height) }
        return Rect(x: 0, y: b.y, width: b.width, height: stackedListHeight)
    }

    var detail: Rect {
        let b = body
        if sideBySide {
            return Rect(x: b.width - Layout.detailWidth, y: b.y, width: Layout.detailWidth, height: b.height)
        }
        let h = stackedListHeight
        return Rect(x: 0, y: b.y + h, width: b.width, height: b.height - h)
    }

    /// Stacked: the list gets a little over half, never less than a header and 4 rows.
    private var stackedListHeight: Int { max(7, (body.height * 11) / 20) }

    /// Rows of allocations the list shows (inside the box, under the column header).
    var listVisibleRows: Int { max(1, list.height - 3) }
}
