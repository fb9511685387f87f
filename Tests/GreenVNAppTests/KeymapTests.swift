import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

@Suite struct KeymapTests {
    /// A harness whose key contexts are `context`.
    func harness(in context: KeyContext, readOnly: Bool = false) -> Harness {
        let h = Harness(readOnly: readOnly)
        switch context {
        case .list, .detail: break
        case .pane: h.press(.tab)
        case .copyMenu: h.press(.char("Y"))
        case .form: h.state.mode = .form(.allocation(connectionId: "gvn-test"))
        case .dialog: h.state.mode = .dialog(.swap(sample[0]))
        case .confirm: h.press(.char("d"))
        case .filter: h.press(.char("/"))
        case .command: h.press(.char(":"))
        case .edit: h.state.mode = .command(TextField("abc"))
        }
        return h
    }

    @Test func everyKeyOfEveryBindingReachesItsAction() {
        for binding in Keymap.table {
            let h = harness(in: binding.context)
            #expect(h.state.contexts.contains(binding.context), "\(binding.context) not in force")
            for key in binding.keys {
                let found = Keymap.binding(for: key, in: h.state.contexts)
                // No key is shadowed by another entry of the contexts in force.
                #expect(found?.0 == binding, "\(Keymap.label(key)) in \(binding.context) goes to \(String(describing: found?.0.action))")
            }
        }
    }

    @Test func noKeyIsBoundTwiceInOneContext() {
        for context in KeyContext.allCases {
            let keys = Keymap.table.filter { $0.context == context }.flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "duplicate key in \(context)")
        }
    }

    @Test func listKeysDoWhatTheySay() {
        let h = Harness()
        h.press(.char("j"))
        #expect(h.state.list.cursor == 1)
        h.press(.char("k"))
        #expect(h.state.list.cursor == 0)
        h.press(.char("G"))
        #expect(h.state.list.cursor == 3)
        h.press(.char("g"))
        #expect(h.state.list.cursor == 0)
        h.press(.wheelDown)
        #expect(h.state.list.cursor == 1)
        h.press(.char("2"))
        #expect(h.state.list.query.state == .expired)
        h.press(.char("3"))
        #expect(h.state.list.query.state == .vault)
        h.press(.char("4"))
        #expect(h.state.list.query.state == .all)
        h.press(.char("3"))
        h.press(.char("]"))
        #expect(h.state.list.query.state == .all)
        h.press(.char("["))
        #expect(h.state.list.query.state == .vault)
        h.press(.right)
        #expect(h.state.list.query.state == .all)
        h.press(.char("1"), .char("o"))
        #expect(h.state.list.query.sort == .vn)
        h.press(.char("O"))
        #expect(h.state.list.query.descending)
        h.press(.char("/"))
        #expect(h.state.contexts.first == .filter)
        h.press(.escape, .char(":"))
        #expect(h.state.contexts.first == .command)
        h.press(.escape, .char("?"))
        #expect(h.state.showHelp)
        h.press(.char("x"))
        #expect(!h.state.showHelp, "any key closes help")
        _ = h.takeEffects()
        h.press(.char("q"))
        #expect(h.takeEffects() == [.quit])
    }

    @Test func selectedAllocationKeysDoWhatTheySay() {
        let h = Harness()
        let a = sample[0]
        #expect(h.state.selected?.id == a.id)
        h.press(.char("y"))
        #expect(h.takeEffects() == [.copy("+918047112233", what: "VN")])
        h.press(.char("s"))   // keeping the allocation's preferences, strictly first
        #expect(h.takeEffects() == [.perform(ticket: 1, .swap(id: a.id, SwapRequest(strictness: true, preferences: Preferences(region: .KA, type: .mobile))))])
        h.send(.operationDone(ticket: 1, .success(a)))
        h.press(.char("r"))
        #expect(h.takeEffects() == [.perform(ticket: 2, .refresh(id: a.id))])
        h.send(.operationDone(ticket: 2, .success(a)))
        h.press(.char("S"))
        #expect(h.state.contexts.first == .dialog)
        h.press(.escape, .char("e"))
        guard case .dialog(let f) = h.state.mode, case .parties = f.purpose else { Issue.record("no call-party dialog"); return }
        h.press(.escape, .char("d"))
        #expect(h.state.confirm != nil)
        h.press(.char("n"))
        #expect(h.state.confirm == nil)
        #expect(h.takeEffects().isEmpty, "n deallocates nothing")
        h.press(.char("d"), .enter)
        #expect(h.state.confirm != nil, "Enter never confirms a deallocation")
        #expect(h.takeEffects().isEmpty)
        h.press(.char("y"))
        #expect(h.takeEffects() == [.perform(ticket: 3, .deallocate(id: a.id))])
    }

    @Test func readOnlyRefusesAndHidesEveryMutatingBinding() {
        let mutating = Keymap.table.filter(\.mutates)
        #expect(Set(mutating.map(\.action)) == [.newAllocation, .swapNow, .swapWithPreferences, .editParties, .deallocate, .submit, .enterField])
        for binding in mutating {
            let h = harness(in: binding.context, readOnly: true)
            let modeBefore = h.state.mode
            for key in binding.keys {
                h.press(key)
                #expect(h.operations.isEmpty, "\(binding.action) sent something under --read-only")
                #expect(h.state.mode == modeBefore && h.state.confirm == nil, "\(binding.action) opened something")
                #expect(h.state.toasts.last?.text.hasPrefix("Read-only") == true)
            }
            #expect(!HelpOverlay.entries(for: h.state.contexts, readOnly: true).contains { $0.help == binding.help })
        }
        let h = Harness(readOnly: true)
        h.send(.command(.deallocate))   // the command line path is refused too
        #expect(h.state.confirm == nil)
        #expect(!h.screen().contains(" new "), "no mutating hint in the hint bar")
    }

    @Test func helpListsExactlyTheTableEntriesOfTheContexts() {
        for readOnly in [false, true] {
            for context in KeyContext.allCases {
                let h = harness(in: context, readOnly: readOnly)
                let shown = HelpOverlay.entries(for: h.state.contexts, readOnly: readOnly).filter { !$0.isHeader }
                let expected = h.state.contexts.flatMap { c in
                    Keymap.table.filter { $0.context == c && !(readOnly && $0.mutates) }
                }
                #expect(shown.map(\.help) == expected.map(\.help))
                #expect(shown.map(\.keys) == expected.map { Keymap.labels($0.keys) })
            }
        }
        // And the overlay draws every one of them.
        let h = Harness()
        h.press(.char("?"))
        var screen = h.screen()
        for _ in 0..<10 { h.press(.pageDown); screen += h.screen() }   // taller than the screen: it scrolls
        #expect(h.state.showHelp, "the page keys scroll the help, they do not close it")
        for b in Keymap.table where b.context == .list || b.context == .detail || b.context == .pane {
            #expect(screen.contains(b.help), "help overlay lacks \"\(b.help)\"")
        }
    }

    @Test func hintBarComesFromTheTable() {
        let h = Harness()
        let bottom = h.frame().last ?? ""
        for b in Keymap.table where (b.context == .list || b.context == .detail) && b.inHintBar {
            #expect(bottom.contains("\(Keymap.label(b.keys[0])) \(b.label)"))
        }
        #expect(!bottom.contains("reverse"), "entries not marked inHintBar stay out")
    }

    @Test func commandLineRunsCommands() {
        let h = Harness()
        h.press(.char(":")); h.type("sort vn asc"); h.press(.enter)
        #expect(h.state.list.query.sort == .vn && !h.state.list.query.descending)
        h.press(.char(":")); h.type("state all"); h.press(.enter)
        #expect(h.state.list.query.state == .all)
        h.press(.char(":")); h.type("filter order"); h.press(.enter)
        #expect(h.state.list.query.filter == "order")
        #expect(h.state.list.count == 1)
        h.press(.char(":")); h.type("help"); h.press(.enter)
        #expect(h.state.showHelp)
        h.press(.escape, .char(":")); h.type("bogus"); h.press(.enter)
        #expect(h.state.toasts.last?.text.contains("Unknown command") == true)
        _ = h.takeEffects()
        h.press(.char(":")); h.type("q"); h.press(.enter)
        #expect(h.takeEffects() == [.quit])
    }

    @Test func quitAsksWhileRequestsAreInFlight() {
        let h = Harness()
        h.press(.char("s"))
        _ = h.takeEffects()
        h.press(.char("q"))
        #expect(h.state.confirm != nil)
        #expect(h.takeEffects().isEmpty)
        h.press(.char("y"))
        #expect(h.takeEffects() == [.quit])
    }
}
