import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

@Suite struct ListTests {
    /// `n` plain allocations, created one second apart (the newest last).
    func many(_ n: Int) -> [StoredAllocation] {
        (0..<n).map { i in
            allocation("id-\(i)", vn: "+9180470\(String(format: "%05d", (i * 7_919) % 100_000))", conn: "conn-\(String(format: "%05d", i))",
                       a: ["+91987\(String(format: "%07d", i))"], b: ["+91876\(String(format: "%07d", i))"],
                       created: TimeInterval(i - n), expires: 86_400)
        }
    }

    @Test func theCursorStaysOnTheSameAllocationAcrossReSorts() {
        let h = Harness()
        h.press(.char("j"), .char("j"))
        let id = try! #require(h.state.list.selectedId)
        #expect(id == sample[1].id)
        h.press(.char("o"))   // sort by VN, ascending: the pending rows ("") come first
        #expect(h.state.list.query.sort == .vn)
        #expect(h.state.list.selectedId == id)
        #expect(h.state.selected?.id == id)
        #expect(h.state.list.cursor == 3)
        h.press(.char("O"))
        #expect(h.state.selected?.id == id)
        #expect(h.state.list.cursor == 0)
    }

    @Test func theCursorFollowsItsAllocationFarOutsideTheLoadedWindow() {
        let h = Harness(many(1_000))
        #expect(h.state.list.rows.count < 100, "only a window is read")
        h.press(.char("j"))
        let id = h.state.list.selectedId
        #expect(id == "id-998")
        h.send(.command(.flipSort))   // oldest first: id-998 is now row 998
        #expect(h.state.list.selectedId == id)
        #expect(h.state.list.cursor == 998)
        #expect(h.state.selected?.id == id)
        #expect(h.registry.indexCalls >= 1)
        let screen = h.screen()
        #expect(screen.contains("conn-00998"))
        #expect(screen.contains("999 of 1000"))
    }

    @Test func pagingReadsOnlyWhatIsShown() {
        let h = Harness(many(1_000))
        h.press(.char("G"))
        #expect(h.state.list.cursor == 999)
        #expect(h.state.selected?.id == "id-0")
        #expect(h.state.list.offset > 900)
        h.press(.pageUp)
        #expect(h.state.list.cursor == 999 - h.state.layout.listVisibleRows)
        h.press(.char("g"))
        #expect(h.state.selected?.id == "id-999")
        h.press(.pageDown, .pageDown)
        #expect(h.state.list.cursor == 2 * h.state.layout.listVisibleRows)
        #expect(h.state.selected != nil)
    }

    @Test func filterAsYouTypeAndEscClearsIt() {
        let h = Harness()
        h.press(.char("/"))
        h.type("order")
        #expect(h.state.list.query.filter == "order")
        #expect(h.state.list.count == 1)
        #expect(h.state.selected?.allocation.connectionId == "order-1001")
        h.press(.backspace, .backspace, .backspace, .backspace, .backspace)
        h.type("+919000000003")   // a number of the id-unknown row
        #expect(h.state.list.count == 1)
        #expect(h.state.selected?.status == .idUnknown)
        h.press(.enter)
        #expect(h.state.mode == .browse)
        #expect(h.state.list.query.filter == "+919000000003", "Enter keeps the filter")
        h.press(.char("/"), .escape)
        #expect(h.state.list.query.filter == "")
        #expect(h.state.list.count == 4)
        #expect(h.state.selected?.status == .idUnknown, "still on the same allocation")
    }

    @Test func escInTheListClearsTheFilter() {
        let h = Harness()
        h.press(.char("/")); h.type("order"); h.press(.enter)
        #expect(h.state.list.count == 1)
        h.press(.escape)
        #expect(h.state.list.query.filter == "")
        #expect(h.state.list.count == 4)
        #expect(h.state.selected?.allocation.connectionId == "order-1001")
    }

    @Test func anAllocationRunningOutMovesToTheVaultTab() {
        let h = Harness()
        h.send(.tick(now.addingTimeInterval(7_100)))
        #expect(h.state.list.count == 4)
        h.send(.tick(now.addingTimeInterval(7_171)))   // the first row's expiry passes
        #expect(h.state.list.count == 3)
        #expect(h.state.counts.vault == 3)
    }

    @Test func aRegistryThatCannotBeReadSaysSoAndCtrlLReadsItAgain() {
        let h = Harness()
        h.send(.pageFailed(generation: h.state.list.generation, message: "database is locked"))
        #expect(h.state.toasts.last?.text == "Could not read the registry: database is locked. Ctrl-L reads it again")
        h.registry.rows.append(allocation("late", vn: "+918047100003", conn: "written-meanwhile", a: ["+919555555551"],
                                          b: ["+919666666661"], created: 0, expires: 600))
        h.press(.ctrl("l"))
        #expect(h.state.list.count == 5 && h.state.list.loadError == nil)
    }

    @Test func emptyFilterResultSaysHowToGetBack() {
        let h = Harness()
        h.press(.char("/"))
        h.type("nothing-like-this")
        #expect(h.state.list.count == 0)
        #expect(h.screen().contains("Nothing matches “nothing-like-this” in active."))
    }

    @Test func emptyRegistrySaysHowToAllocate() {
        #expect(Harness([]).screen().contains("Press n to allocate a virtual number."))
        #expect(Harness([], readOnly: true).screen().contains("Read-only: allocate from another shell"))
    }

    @Test func anotherProcessWritingReloadsAndKeepsTheSelection() {
        let h = Harness()
        h.press(.char("j"))
        let id = h.state.list.selectedId
        h.registry.rows.append(allocation("fresh", vn: "+918047100002", conn: "other-process", a: ["+919555555555"],
                                          b: ["+919666666666"], created: 0, expires: 600))
        h.send(.registryChanged)
        #expect(h.state.list.count == 5)
        #expect(h.state.list.selectedId == id)
        #expect(h.state.list.cursor == 2, "a newer row arrived above it")
        #expect(h.state.counts.active == 5)
    }

    @Test func aDeallocatedRowLeavesTheCursorOnItsNeighbour() {
        let h = Harness()
        h.press(.char("d"), .char("y"))
        var vaulted = sample[0]
        vaulted.allocation.state = .vault
        h.registry.rows[0] = vaulted
        h.send(.operationDone(ticket: h.lastTicket!, .success(vaulted)))
        #expect(h.state.list.count == 3)
        #expect(h.state.list.cursor == 0)
        #expect(h.state.selected?.id == sample[2].id)
        #expect(h.state.toasts.last?.text == "Deallocated +918047112233: moved to the vault")
    }

    @Test func placeholderRowsRefuseChangesAndSaySo() {
        let h = Harness()
        h.press(.char("j"), .char("s"))   // the pending row
        #expect(h.operations.isEmpty)
        #expect(h.state.toasts.last?.text.hasPrefix("Still sending") == true)
        h.press(.char("G"), .char("d"))   // the id-unknown row
        #expect(h.state.confirm == nil)
        #expect(h.state.toasts.last?.text.contains("press i and enter it") == true)
        #expect(h.screen().contains("allocated, greenvn_id lost"), "the detail pane says what the row is")
    }

    @Test func oneChangeAtATimePerAllocation() {
        let h = Harness()
        h.press(.char("s"), .char("s"))
        #expect(h.operations.count == 1)
        #expect(h.state.toasts.last?.text == "Still swapping +918047112233: wait for the answer")
        h.send(.operationDone(ticket: 1, .failure(message: "No answer from Lead Assist within 30s.", error: .timeout(seconds: 30))))
        let text = h.state.toasts.last?.text ?? ""
        #expect(text.hasPrefix("Swapping +918047112233 failed: No answer from Lead Assist within 30s."), "\(text)")
        #expect(text.contains("press r to see what Lead Assist holds now"), "what next, with the console's key")
        #expect(h.state.inFlight.isEmpty)
    }

    @Test func theSelectedRowIsReverseVideoSoItShowsWithoutColour() {
        let h = Harness()
        h.press(.char("j"))
        var c = Canvas(width: 120, height: 36)
        render(h.state, into: &c)
        let rowY = h.state.layout.list.y + 2 + 1   // frame, header, second row
        #expect(c[x: 5, y: rowY].style.reverse)
        #expect(c[x: 60, y: rowY].style.reverse)
        #expect(!c[x: 5, y: rowY - 1].style.reverse)
        #expect(!c[x: 5, y: rowY + 1].style.reverse)
    }

    @Test func clockDrivesCountdownsAndToastsFade() {
        let h = Harness()
        #expect(h.screen().contains("2h 00m"), "1h 59m 30s left reads to the nearest minute")
        #expect(h.state.tickInterval == 1, "countdowns on screen need a clock")
        h.press(.char("y"))
        h.send(.tick(now.addingTimeInterval(3_600)))
        #expect(h.state.toasts.isEmpty, "the copy toast faded")
        #expect(h.screen().contains("59m 30s"))
        #expect(Harness([]).state.tickInterval == nil, "idle: no clock, no CPU")
    }

    @Test func resizeReLaysOutAndTinyTerminalsNeverCrash() {
        let h = Harness()
        h.send(.resize(width: 80, height: 24))
        #expect(h.state.layout.listVisibleRows == 9)
        #expect(h.frame().count == 24)
        for (w, hgt) in [(0, 0), (1, 1), (20, 6), (59, 15), (60, 16), (61, 17), (109, 30), (110, 16), (300, 100)] {
            for setup in [Key.char("?"), .char("n"), .char("S"), .char("e"), .char("d"), .char(":"), .char("/")] {
                let t = Harness(width: w, height: hgt)
                t.press(setup)
                t.type("x")
                _ = t.frame()
            }
        }
        let small = Harness(width: 20, height: 6)
        small.send(.resize(width: 20, height: 6))
        #expect(small.screen().contains("too small"))
    }
}

@Suite struct TextFieldTests {
    @Test func scrollsToKeepTheCursorVisible() {
        var t = TextField("0123456789abcdef")
        let (shown, col) = t.window(width: 8)
        #expect(shown == "9abcdef")
        #expect(col == 7)
        t.home()
        #expect(t.window(width: 8).text == "01234567")
        #expect(t.window(width: 8).cursorColumn == 0)
    }

    @Test func wideCharactersCountTwoColumns() {
        let t = TextField("कखग日本語")
        let (shown, col) = t.window(width: 6)
        #expect(DisplayWidth.of(shown) <= 6)
        #expect(col <= 5)
    }

    @Test func neverHoldsControlCharacters() {
        var t = TextField("a\u{7}b\u{1B}[2Jc")
        #expect(t.text == "abc")
        t.insert("\u{85}d\u{7F}\u{1B}]0;title\u{1B}\\e")
        #expect(t.text == "abcde")
    }
}
