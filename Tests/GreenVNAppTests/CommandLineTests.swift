import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The `:` line: one table drives the parser, the help overlay and Tab completion.
@Suite struct CommandLineTests {
    @Test func parses() throws {
        #expect(try ColonCommand.parse(":q").get() == .quit)
        #expect(try ColonCommand.parse("sort -expires").get() == .sort(.expires, descending: true))
        #expect(try ColonCommand.parse("sort connection_id desc").get() == .sort(.connectionId, descending: true))
        #expect(try ColonCommand.parse("state vault").get() == .state(.vault))
        #expect(try ColonCommand.parse("filter  +9198 ").get() == .filter("+9198"))
        #expect(try ColonCommand.parse("import 6c1f0d2e").get() == .importId("6c1f0d2e"))
        #expect(try ColonCommand.parse("").get() == ColonCommand.none)
        #expect((try? ColonCommand.parse("state nowhere").get()) == nil)
        #expect((try? ColonCommand.parse("sort size").get()) == nil)
        #expect((try? ColonCommand.parse("import").get()) == nil)
    }

    @Test func everyNameInTheTableParses() {
        for spec in ColonCommands.table {
            for name in spec.names {
                let arg = spec.choices.first?.first ?? (spec.argument.isEmpty ? "" : "x")
                #expect((try? ColonCommand.parse("\(name) \(arg)").get()) != nil, ":\(name) \(arg)")
            }
        }
    }

    @Test func tabCompletesNamesAndArguments() {
        #expect(ColonCommands.complete("so") == "sort ")
        #expect(ColonCommands.complete("sort ex") == "sort expires ")
        #expect(ColonCommands.complete("sort expires d") == "sort expires desc")
        #expect(ColonCommands.complete("state v") == "state vault")
        #expect(ColonCommands.complete("re") == "refresh")
        #expect(ColonCommands.complete("st") == "state ")
        #expect(ColonCommands.complete("s") == "s", "sort and state share only the s")
        #expect(ColonCommands.complete("filter 98") == "filter 98", "free text is not completed")
        #expect(ColonCommands.candidates(for: "state ").options == StateFilter.allCases.map(\.rawValue))
    }

    @Test func tabOnTheCommandLineCompletesAndTheCandidatesShow() {
        let h = Harness()
        h.press(.char(":"))
        h.type("st")
        h.press(.tab)
        #expect(h.state.mode == .command(TextField("state ")))
        #expect(h.frame().last?.contains(StateFilter.allCases.map(\.rawValue).joined(separator: " ")) == true,
                "the choices show on the bottom line: \(h.frame().last ?? "")")
        h.type("v")
        h.press(.tab, .enter)
        #expect(h.state.list.query.state == .vault)
    }

    @Test func theHelpOverlayListsTheTablesCommands() {
        let h = Harness()
        h.press(.char("?"))
        let screen = h.screen()
        #expect(ColonCommands.summary.hasPrefix("Commands: "))
        for spec in ColonCommands.table { #expect(screen.contains(spec.usage), "help lacks \(spec.usage)") }
    }
}
