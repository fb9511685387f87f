import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The detail pane as an operator reads it at 80×24: every field reachable by scrolling.
@Suite struct DetailPaneTests {
    /// The detail pane's rows of the frame (below the list at 80 columns).
    func pane(_ h: Harness) -> String {
        let r = h.state.layout.detail
        return h.frame()[r.y..<(r.y + r.height)].joined(separator: "\n")
    }

    @Test func tabFocusesThePaneAndItScrollsToEveryField() {
        let h = Harness(width: 80, height: 24)
        #expect(!pane(h).contains("preferences"), "at 80×24 the lower fields are below the pane's edge")
        #expect(pane(h).contains("more: Tab"), "the pane says there is more and how to reach it")
        h.press(.tab)
        #expect(h.state.focus == .detail)
        #expect(h.state.contexts.first == .pane)
        var seen = pane(h)
        for _ in 0..<10 { h.press(.char("j")); seen += pane(h) }
        for field in ["B-party", "B pins", "preferences", "KA · mobile", "expires", "duration", "connection_id",
                      "greenvn_id", "flow_id", "created", "last synced"] {
            #expect(seen.contains(field), "\(field) never came into view")
        }
        h.press(.char("G"))
        #expect(pane(h).contains("allocate ok · asha"), "G: the end of the audit")
        #expect(h.state.detailScroll == DetailPane.maxScroll(h.state))
        h.press(.char("j"))
        #expect(h.state.detailScroll == DetailPane.maxScroll(h.state), "never past the end")
        h.press(.char("g"))
        #expect(h.state.detailScroll == 0)
        h.press(.escape)
        #expect(h.state.focus == .list, "Esc goes back to the list")
        h.press(.char("j"))
        #expect(h.state.list.cursor == 1, "j moves the list again")
        #expect(h.state.detailScroll == 0, "a new selection starts at the top")
    }

    @Test func enterFocusesThePaneToo() {
        let h = Harness(width: 80, height: 24)
        h.press(.enter, .pageDown)
        #expect(h.state.focus == .detail && h.state.detailScroll > 0)
        h.press(.tab)
        #expect(h.state.focus == .list)
    }

    @Test func theVitalFieldsComeFirst() {
        let h = Harness(width: 80, height: 24)
        let first = pane(h)
        for field in ["VN", "state", "expires", "A-party"] { #expect(first.contains(field), "\(field) not in the first screen") }
    }

    @Test func theGreenvnIdIsNeverBrokenMidId() {
        for (w, hgt) in [(120, 36), (80, 24), (110, 30), (60, 16)] {
            let h = Harness(width: w, height: hgt)
            h.press(.tab)
            var all = ""
            for _ in 0..<30 { all += h.frame().joined(separator: "\n"); h.press(.char("j")) }
            #expect(all.contains(sample[0].id), "\(w)×\(hgt): the whole greenvn_id on one line")
        }
    }

    @Test func historyAndAuditEntriesAreOneLineEachEndingInAnEllipsis() {
        let id = sample[0].id
        var audit = sampleAudit
        audit[id] = [AuditEntry(at: now, operatorName: "asha", host: "ops-3.example.internal", action: "swap", target: id,
                                outcome: "No answer from Lead Assist within 15s. Retry later; a create is retried with the same connection_id")]
        let h = Harness()
        h.registry.audits = audit
        h.send(.registryChanged)
        let lines = h.frame().filter { $0.contains("swap ✗") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("…") == true, "cut, not wrapped: \(lines)")
        #expect(!h.screen().contains("the same connection_id"), "the rest is not on a second line")
    }

    @Test func theFocusedPaneIsFramedInTheFocusColour() {
        let h = Harness()
        var c = h.driver.render()
        let r = h.state.layout.detail
        #expect(c[x: r.x, y: r.y].style == Theme.border)
        h.press(.tab)
        c = h.driver.render()
        #expect(c[x: r.x, y: r.y].style == Theme.focusBorder)
        #expect(c[x: h.state.layout.list.x, y: h.state.layout.list.y].style == Theme.border, "the list gives the focus up")
    }

    @Test func aReleasedRowSaysWhenAndByWhomAndCountsNothingDown() {
        let h = Harness()
        h.press(.char("3"), .char("j"))
        #expect(h.state.selected?.id == sample[4].id)
        let screen = h.screen()
        #expect(screen.contains("released      2025-01-15 12:30:00"))
        #expect(screen.contains("by            asha on ops-3"))
        #expect(!screen.contains("in 23h") && !screen.contains("in 22h"), "no countdown beside vault")
        #expect(screen.contains("01-15 12:30 released (deallocate)\u{20}"), "the history ends with the release")
    }

    @Test func theExpiredTabListsWhatIsPastExpiry() {
        let h = Harness()
        h.press(.char("2"))
        #expect(h.state.list.query.state == .expired)
        #expect(h.state.list.count == 1 && h.state.selected?.id == sample[5].id)
        #expect(h.screen().contains("expired 1"), "the tab counts them")
        #expect(h.screen().contains("5m ago"), "how long ago it expired")
        h.press(.char(":"))
        h.type("state expired")
        h.press(.enter)
        #expect(h.state.list.query.state == .expired)
    }

    @Test func helpListsThePanesKeysFromTheList() {
        let h = Harness()
        h.press(.char("?"))
        #expect(h.screen().contains("Detail pane"))
        #expect(h.screen().contains("scroll down a page"))
    }
}
