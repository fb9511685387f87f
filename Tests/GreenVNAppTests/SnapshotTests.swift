import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Every view at 120×36 and 80×24. Expected frames live in __Snapshots__ (read them: they
/// are the spec of what the operator sees).
@Suite struct SnapshotTests {
    static let sizes = [(120, 36), (80, 24)]

    func check(_ name: String, _ build: (Harness) -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        for (w, h) in Self.sizes {
            let h = Harness(width: w, height: h)
            build(h)
            assertSnapshot(name, h.state, width: w, height: h.state.size.height, sourceLocation: sourceLocation)
        }
    }

    @Test func listWithDetailPane() {
        check("list") { _ in }
    }

    @Test func listWithPendingRowSelectedAndRequestsInFlight() {
        check("list-busy") { h in
            h.press(.char("s"))   // swap the first row: spinner in the status line and on the row
            h.press(.char("j"))   // the pending ("sending…") row
        }
    }

    @Test func vaultTab() {
        // The deallocated row: when and by whom, no countdown; its history ends with the release.
        check("vault") { h in h.press(.char("3"), .char("j")) }
    }

    @Test func expiredTab() {
        check("expired") { h in h.press(.char("2")) }
    }

    @Test func readOnlyOnARealTenant() {
        for (w, hgt) in Self.sizes {
            let h = Harness(width: w, height: hgt, readOnly: true, simulator: false)
            assertSnapshot("read-only", h.state, width: w, height: hgt)
        }
    }

    @Test func emptyList() {
        for (w, hgt) in Self.sizes {
            let h = Harness([], width: w, height: hgt)
            assertSnapshot("empty", h.state, width: w, height: hgt)
        }
    }

    @Test func formWithAValidationError() {
        check("form-error") { h in
            h.press(.char("n"))
            h.type("9876543210, 12ab")
            h.press(.tab)
            h.type("+918765432109")
        }
    }

    @Test func formRefusedByTheAPI() {
        check("form-refused") { h in
            h.press(.char("n"))
            h.type("9876543210")
            h.press(.tab)
            h.type("+918765432109")
            h.press(.ctrl("s"))
            let refusal = GreenVNError.refused(APIRefusal(httpStatus: 452, code: 4, message: "No free VN matches the preferences"))
            h.send(.operationDone(ticket: h.lastTicket!, .failure(message: refusal.description, error: refusal)))
        }
    }

    @Test func swapWithPreferencesDialog() {
        check("swap-dialog") { h in
            h.press(.char("S"), .tab)   // opens with the allocation's KA · mobile; the region focused
        }
    }

    @Test func callPartyDialog() {
        check("party-dialog") { h in
            h.press(.char("e"), .tab, .end)
            h.type(", 98765")
        }
    }

    @Test func deallocateConfirm() {
        check("deallocate-confirm") { h in h.press(.char("d")) }
    }

    @Test func helpOverlay() {
        check("help") { h in h.press(.char("?")) }
    }

    @Test func helpOverlayScrolled() {
        check("help-scrolled") { h in h.press(.char("?"), .pageDown) }
    }

    @Test func formHelpOverlay() {
        check("form-help") { h in h.press(.char("n"), .f(1)) }
    }

    @Test func commandLine() {
        check("command") { h in
            h.press(.char(":"))
            h.type("sort vn")
        }
    }

    @Test func filterAsYouType() {
        check("filter") { h in
            h.press(.char("/"))
            h.type("order")
        }
    }

    @Test func toasts() {
        check("toasts") { h in
            h.press(.char("y"))
            h.send(.operationDone(ticket: 99, .success(sample[0])))   // unknown ticket: ignored
            h.state.toast(.error, GreenVNError.network("connection refused (leadassist.exotel.in:443)").description)
        }
    }

    @Test func detailPaneFocusedAndScrolled() {
        check("detail-scrolled") { h in h.press(.tab, .pageDown) }
    }

    @Test func copyMenu() {
        check("copy-menu") { h in h.press(.char("Y")) }
    }

    @Test func rowsCloseToExpiry() {
        let soon = allocation("id-soon", vn: "+918047110101", conn: "closing-soon", a: ["+919000000011"], b: ["+919000000012"],
                              created: 0, expires: 299)
        for (w, hgt) in Self.sizes {
            let h = Harness([soon] + sample, width: w, height: hgt)
            assertSnapshot("expiring", h.state, width: w, height: hgt)
        }
    }

    @Test func aFailureThatStays() {
        check("failure") { h in
            h.press(.char("s"))
            let error = GreenVNError.timeout(seconds: 15)
            h.send(.operationDone(ticket: h.lastTicket!, .failure(message: error.description, error: error)))
        }
    }

    @Test func tooSmall() {
        for (w, hgt) in [(59, 24), (40, 12), (20, 6)] {
            let h = Harness(width: w, height: hgt)
            assertSnapshot("too-small", h.state, width: w, height: hgt)
        }
    }
}
