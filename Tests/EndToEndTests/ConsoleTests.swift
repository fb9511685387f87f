import Foundation
import GreenVNKit
import Testing

/// The console as an operator meets it: the real binary, in tmux, on the embedded simulator.
@Suite(.serialized) struct Console {
    /// An allocation made with the CLI into the console's data dir; returns (greenvn_id, VN).
    static func allocate(home: String, a: String, b: String) throws -> (id: String, vn: String) {
        let r = try Binary.run(["allocate", "--a", a, "--b", b, "--usage", "twoway", "--json"], env: Binary.environment(home: home))
        let o = try JSONValue.parse(Data(r.stdout.utf8))
        return (o["greenvn_id"]?.stringValue ?? "", o["green_vn"]?.stringValue ?? "")
    }

    @Test func allocateThroughTheFormThenFindAndSwapIt() throws {
        let tui = try Pane()
        try tui.waitFor("SIMULATOR")
        try tui.allocateThroughTheForm(a: "9876543210", b: "+91 87654 32109")
        // The form closes, a toast names the new VN, and the list shows the allocation selected.
        try tui.waitUntilGone("Ctrl-S allocate")
        let before = try #require(try Self.knownVNs(home: tui.home).first, "the registry knows the new allocation")
        let listed = try tui.waitFor("Allocated")
        #expect(listed.contains(before), "the toast or the list names the VN \(before):\n\(listed)")
        #expect(listed.contains("+919876543210") && listed.contains("+918765432109"), "both parties listed:\n\(listed)")
        try tui.type("s")
        try tui.waitFor("Swapped")
        let after = try #require(try Self.knownVNs(home: tui.home).first)
        #expect(after != before, "the VN changed in the registry")
        try tui.waitFor(after)
    }

    /// The VNs `greenvn list --json` reports for a data dir.
    static func knownVNs(home: String) throws -> [String] {
        let out = try Binary.run(["list", "--json"], env: Binary.environment(home: home)).stdout
        return (try JSONValue.parse(Data(out.utf8)).arrayValue ?? []).compactMap { $0["green_vn"]?.stringValue }
    }

    @Test func formShowsErrorsBesideTheFieldAndKeepsWhatWasTyped() throws {
        let tui = try Pane()
        try tui.waitFor("SIMULATOR")
        try tui.type("n")
        try tui.waitFor("Ctrl-S allocate")
        try tui.type("12ab")
        try tui.waitFor("not")                 // the rule, as you type
        try tui.press(.ctrl("s"))
        let screen = try tui.waitFor("12ab")
        #expect(screen.contains("A-party"), "still in the form, nothing lost")
        #expect(try Self.knownVNs(home: tui.home).isEmpty, "nothing was allocated")
    }

    @Test func filterNarrowsTheListAsYouType() throws {
        let home = Binary.tempHome()
        _ = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        _ = try Self.allocate(home: home, a: "+919333333333", b: "+918444444444")
        let tui = try Pane(home: home)
        try tui.waitFor("+919111111111")
        try tui.waitFor("+919333333333")
        try tui.type("/")
        try tui.type("93333")
        try tui.waitUntilGone("+919111111111")
        try tui.waitFor("+919333333333")
        try tui.press(.escape)
        try tui.waitFor("+919111111111")
    }

    @Test func helpListsTheKeysAndResizeRelaysOut() throws {
        let home = Binary.tempHome()
        _ = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let tui = try Pane(home: home)
        try tui.waitFor("+919111111111")
        try tui.type("?")
        let help = try tui.waitFor("swap")
        #expect(help.contains("quit"))
        try tui.press(.escape)
        try tui.resize(width: 80, height: 24)
        try tui.waitFor("+919111111111")
        try tui.resize(width: 30, height: 8)
        try tui.waitFor("small")
        try tui.resize(width: 120, height: 36)
        try tui.waitFor("+919111111111")
    }

    @Test func quitRestoresTheTerminal() throws {
        let tui = try Pane()
        try tui.waitFor("SIMULATOR")
        try tui.type("q")
        // The shell's stty after the console exits: cooked mode, echo, main screen, cursor on.
        try TerminalRestore.expectRestored(tui, status: "0]")
    }

    @Test func readOnlyRefusesChanges() throws {
        let home = Binary.tempHome()
        _ = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let tui = try Pane(args: ["tui", "--read-only"], home: home)
        try tui.waitFor("READ-ONLY")
        try tui.type("n")
        usleep(300_000)
        #expect(!(try tui.screen()).contains("B-party numbers"), "no form under --read-only")
    }
}
