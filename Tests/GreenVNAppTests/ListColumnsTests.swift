import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The list's columns at every width: apart, the sort always in view, `o` among what is shown.
@Suite struct ListColumnsTests {
    /// Rows whose every value fills its column, so touching columns would show.
    static let wide: [StoredAllocation] = (0..<3).map { i in
        allocation("id-wide-\(i)", vn: "+91804711223\(i)", conn: "connection-id-that-is-long-\(i)",
                   a: ["+919876543210", "+919876543211"], b: ["+918765432109", "+918765432108"],
                   prefs: Preferences(region: .KA, pinCode: "560001", type: .landline), strict: true,
                   created: -60, expires: 86_000)
    }

    @Test func aBlankSeparatesEveryTwoColumnsAndTheBorderAtEveryWidth() {
        for width in 60...200 {
            for tab in StateFilter.allCases {
                let h = Harness(Self.wide + sample, width: width, height: 30)
                h.send(.command(.showState(tab)))
                let (inner, cols) = ListView.geometry(h.state, in: h.state.layout.list)
                for (a, b) in zip(cols, cols.dropFirst()) {
                    #expect(a.x + a.width < b.x, "\(width) \(tab): \(a.column.title) touches \(b.column.title)")
                }
                if let last = cols.last {
                    #expect(last.x + last.width < inner.x + inner.width, "\(width) \(tab): \(last.column.title) touches the border")
                }
                #expect(cols.first?.x == inner.x + 2, "the marker column and a blank come first")
            }
        }
    }

    @Test func theSortAndItsDirectionAreAlwaysInView() {
        for width in [60, 72, 80, 100, 120, 160] {
            for sort in SortColumn.allCases {
                for descending in [false, true] {
                    let h = Harness(width: width, height: 24)
                    h.send(.command(.showState(.all)))
                    h.state.list.query.sort = sort
                    h.state.list.query.descending = descending
                    let arrow = descending ? "▼" : "▲"
                    let list = h.state.layout.list
                    let frame = h.frame()[list.y] + h.frame()[list.y + list.height - 1]
                    let header = h.frame()[h.state.layout.list.y + 1]
                    let shown = ListView.geometry(h.state, in: h.state.layout.list).columns.contains { $0.column.sort == sort }
                    if shown {
                        #expect(header.contains(arrow), "\(width) \(sort): no \(arrow) in the header \(header)")
                    } else {
                        #expect(frame.contains("sorted by \(sort.rawValue) \(arrow)"), "\(width) \(sort): not said in the frame")
                    }
                }
            }
        }
    }

    @Test func oCyclesOnlyTheColumnsShown() {
        let h = Harness(width: 80, height: 24)
        let shown = ListView.geometry(h.state, in: h.state.layout.list).columns.compactMap(\.column.sort)
        #expect(!shown.contains(.created), "created does not fit at 80 columns")
        var seen: [SortColumn] = []
        for _ in 0..<shown.count {
            h.press(.char("o"))
            seen.append(h.state.list.query.sort)
        }
        #expect(seen == shown, "o goes through what the header shows, in its order")
    }

    @Test func theSortIsKeptForTheNextSession() throws {
        let h = Harness()
        h.press(.char("o"))
        let q = h.state.list.query
        #expect(h.takeEffects().contains(.saveSettings(ConsoleSettings(sort: q.sort, descending: q.descending))))
        h.press(.char(":"))
        h.type("sort expires asc")
        h.press(.enter)
        #expect(h.takeEffects().contains(.saveSettings(ConsoleSettings(sort: .expires, descending: false))), ":sort is kept too")
        h.press(.char("/"))
        h.type("9")
        #expect(!h.takeEffects().contains { if case .saveSettings = $0 { return true } else { return false } }, "a filter is not kept")

        let dir = NSTemporaryDirectory() + "greenvn-settings-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = SettingsFile(directory: dir)
        #expect(file.load() == ConsoleSettings(), "no file: the defaults")
        try file.save(ConsoleSettings(sort: .vn, descending: false))
        #expect(file.load() == ConsoleSettings(sort: .vn, descending: false))
        try Data(#"{"sort":"no-such-column","descending":false}"#.utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(file.load() == ConsoleSettings(sort: .created, descending: false), "an unknown column falls back")
        var state = h.state
        state.apply(ConsoleSettings(sort: .expires, descending: false))
        #expect(state.list.query.sort == .expires && !state.list.query.descending)
    }

    @Test func rowsCloseToExpiryAreMarkedInColourAndWithoutIt() {
        let soon = allocation("id-soon", vn: "+918047110101", conn: "closing-soon", a: ["+919000000011"], b: ["+919000000012"],
                              created: 0, expires: 299)
        let h = Harness([soon] + sample)
        let c = h.driver.render()
        let rowY = h.state.layout.list.y + 2
        let line = h.frame()[rowY]
        #expect(line.contains("closing-soon") && line.contains("4m 59s"))
        #expect(c[x: h.state.layout.list.x + 1, y: rowY].text == "!", "a marker that NO_COLOR keeps")
        let (_, cols) = ListView.geometry(h.state, in: h.state.layout.list)
        let expires = try! #require(cols.first { $0.column.sort == .expires })
        #expect(c[x: expires.x, y: rowY].style.fg == Theme.warn.fg && c[x: expires.x, y: rowY].style.bold)
        let other = h.state.layout.list.y + 3
        #expect(c[x: h.state.layout.list.x + 1, y: other].text != "!", "a row with hours left is not marked")
    }

    @Test func clicksSelectRowsTabsAndSortColumns() {
        let h = Harness()
        let list = h.state.layout.list
        h.press(.click(x: list.x + 20, y: list.y + 4))   // the third row
        #expect(h.state.list.cursor == 2)
        let vault = try! #require(ListView.tabs(h.state, in: list).first { $0.tab == .vault })
        h.press(.click(x: vault.x + 2, y: list.y))
        #expect(h.state.list.query.state == .vault)
        let vn = try! #require(ListView.geometry(h.state, in: list).columns.first { $0.column.sort == .vn })
        h.press(.click(x: vn.x, y: list.y + 1))
        #expect(h.state.list.query.sort == .vn)
        let descending = h.state.list.query.descending
        h.press(.click(x: vn.x, y: list.y + 1))
        #expect(h.state.list.query.descending != descending, "the same title again: the other way")
        h.press(.click(x: h.state.layout.detail.x + 5, y: h.state.layout.detail.y + 3))
        #expect(h.state.focus == .detail)
        h.press(.click(x: list.x + 20, y: list.y + 2))
        #expect(h.state.focus == .list && h.state.list.cursor == 0)
        h.send(.command(.showState(.active)))
        h.press(.char("d"))
        h.press(.click(x: list.x + 20, y: list.y + 3))
        #expect(h.state.confirm != nil && h.state.list.cursor == 0, "a question on top takes no clicks")
    }
}
