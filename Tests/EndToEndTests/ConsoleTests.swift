import Foundation
import GreenVNKit
import GreenVNSimulator
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

    // MARK: - Every detail reachable, ids usable

    @Test func theDetailPaneScrollsToEveryFieldAt80x24() throws {
        let home = Binary.tempHome()
        let r = try Binary.run(["allocate", "--a", "+919111111111", "--b", "+918222222222", "--usage", "twoway",
                                "--region", "KA", "--type", "mobile", "--duration", "2h", "--json"], env: Binary.environment(home: home))
        let id = try #require(try JSONValue.parse(Data(r.stdout.utf8))["greenvn_id"]?.stringValue)
        let tui = try Pane(width: 80, height: 24, home: home)
        let first = try tui.waitFor("more: Tab")
        #expect(!first.contains("KA · mobile"), "the preferences start below the pane's edge:\n\(first)")
        try tui.press(.tab)
        try tui.press(.pageDown)
        try tui.waitFor("KA · mobile")
        try tui.press(.pageDown)
        let end = try tui.waitFor(id)
        #expect(end.contains("greenvn_id"), "the whole greenvn_id, on a line of its own:\n\(end)")
        try tui.press(.escape)
        try tui.waitFor("more: Tab")
    }

    @Test func yPutsTheVNOnTmuxsClipboardAndSaysWhetherItIsSure() throws {
        let home = Binary.tempHome()
        let made = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let tui = try Pane(home: home)
        try tui.waitFor(made.vn)
        try tui.tmux(["set-option", "-g", "set-clipboard", "on"])
        try tui.type("y")
        // The console runs with a clean environment (no TMUX), so it cannot know tmux takes it:
        // it says so rather than "copied", and tmux's buffer shows the copy did arrive.
        let screen = try tui.waitFor("to the clipboard, not confirmed")
        #expect(screen.contains(made.vn))
        let deadline = Date().addingTimeInterval(10)
        var buffer = ""
        while Date() < deadline {
            buffer = (try? tui.tmux(["show-buffer"])) ?? ""
            if buffer == made.vn { break }
            usleep(50_000)
        }
        #expect(buffer == made.vn, "tmux's buffer holds the VN: \(buffer)")
        try tui.type("Y")
        try tui.waitFor("Esc copies nothing")
        try tui.type("i")
        try tui.waitUntilGone("Esc copies nothing")
        let until = Date().addingTimeInterval(10)
        while Date() < until, (try? tui.tmux(["show-buffer"])) != made.id { usleep(50_000) }
        #expect((try? tui.tmux(["show-buffer"])) == made.id, "Y i copies the greenvn_id")
    }

    @Test func clicksSelectRowsAndTabsAndNoMouseLeavesTheMouseToTheTerminal() throws {
        let home = Binary.tempHome()
        _ = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let second = try Self.allocate(home: home, a: "+919333333333", b: "+918444444444")
        let tui = try Pane(home: home)
        try tui.waitFor("+919111111111")
        #expect(try tui.flag("mouse_any_flag") == "1", "the console takes clicks")
        // A left click on the second row (1-based column 10, row 5: border, header, first row above it).
        try tui.type("\u{1B}[<0;10;5M\u{1B}[<0;10;5m")
        let selected = try tui.waitFor("2 of 2")
        #expect(selected.contains(second.vn), "\(selected)")
        // The vault tab's label on the top border: "─ active 2 ─ expired 0 ─ vault 0 ─", from column 3.
        let top = selected.split(separator: "\n")[1]
        let vault = try #require(top.range(of: "vault 0"))
        let column = top.distance(from: top.startIndex, to: vault.lowerBound) + 1
        try tui.type("\u{1B}[<0;\(column);2M\u{1B}[<0;\(column);2m")
        try tui.waitFor("The vault is empty.")
        try tui.type("q")
        try tui.waitFor("[exit 0]")

        let plain = try Pane(args: ["tui", "--no-mouse"], home: home)
        try plain.waitFor("+919111111111")
        #expect(try plain.flag("mouse_any_flag") == "0", "--no-mouse: the terminal keeps the mouse for selecting text")
    }

    @Test func theSortIsKeptAcrossRestarts() throws {
        let home = Binary.tempHome()
        _ = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let tui = try Pane(home: home)
        try tui.waitFor("created ▼")
        try tui.type("o")
        try tui.waitFor("VN ▲")
        try tui.type("q")
        try tui.waitFor("[exit 0]")
        let again = try Pane(home: home)
        let screen = try again.waitFor("+919111111111")
        #expect(screen.contains("VN ▲"), "the sort of the last session:\n\(screen)")
    }

    @Test func tabCompletesTheCommandLine() throws {
        let home = Binary.tempHome()
        _ = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let tui = try Pane(home: home)
        try tui.waitFor("+919111111111")
        try tui.type(":st")
        try tui.press(.tab)
        try tui.waitFor("vault all")   // the choices Tab can complete, on the bottom line
        try tui.type("v")
        try tui.press(.tab)
        try tui.press(.enter)
        try tui.waitFor("The vault is empty.")
    }

    /// A simulator in this process (faults and settings on demand), a fresh data dir, and the
    /// environment that points the console at it.
    static func simulatorInProcess(extra: [String: String] = [:]) async throws -> (Simulator, String, [String: String]) {
        let sim = try Simulator(config: SimulatorConfig())
        try await sim.start()
        let home = Binary.tempHome()
        return (sim, home, Binary.apiEnvironment(home: home, settings: sim.settings, extra: extra))
    }

    /// `:settings` over the real calls: what the operator saves is what Lead Assist holds.
    @Test func settingsAreReadAndSavedOverTheRealCalls() async throws {
        let (sim, home, env) = try await Self.simulatorInProcess()
        defer { Task { await sim.stop() } }
        let tui = try Pane(home: home, env: env)
        try await waitFor(tui, "No allocations yet")
        try tui.type(":settings")
        try tui.press(.enter)
        try await waitFor(tui, "Account settings (Lead Assist)")
        try tui.type("https://ops.example/calls")
        try tui.press(.ctrl("s"))
        try await waitFor(tui, "Account settings saved")
        #expect(try sim.accountSettings().webhooks.callComplete == "https://ops.example/calls")
        // read again: the dialog shows what Lead Assist now holds
        try tui.type(":settings")
        try tui.press(.enter)
        try await waitFor(tui, "https://ops.example/calls")
        try tui.press(.escape)
        try tui.type("q")
    }

    /// Against a simulator in this process (faults on demand): `s` keeps the allocation's
    /// preferences, a failure says what to do with the console's keys and stays until Esc.
    @Test func swapKeepsThePreferencesAndAFailureSaysWhatNext() async throws {
        let (sim, home, env) = try await Self.simulatorInProcess(extra: ["GREENVN_MAX_ATTEMPTS": "1", "GREENVN_TIMEOUT_SECONDS": "5"])
        defer { Task { await sim.stop() } }
        let made = try await Binary.runAsync(["allocate", "--a", "+919111111111", "--b", "+918222222222", "--usage", "twoway",
                                              "--region", "KA", "--type", "mobile", "--json"], env: env)
        try #require(made.status == 0, "setup: \(made.stderr)")
        let vn = try #require(try JSONValue.parse(Data(made.stdout.utf8))["green_vn"]?.stringValue)
        let tui = try Pane(home: home, env: env)
        try await waitFor(tui, vn)

        sim.inject(.status(503), on: .swap, count: 1)
        try tui.type("s")
        let failed = try await waitFor(tui, "Esc dismisses")
        // A 503 acted on nothing, and the GET after says so: not done, with the key to try again.
        #expect(failed.contains("did not happen") && failed.lowercased().contains("press s"), "\(failed)")   // the message wraps in its box
        #expect(!failed.contains("greenvn show") && !failed.contains("greenvn import"), "\(failed)")
        try tui.press(.escape)
        try await waitUntilGone(tui, "Esc dismisses")

        try tui.type("s")
        let swapped = try await waitFor(tui, "Swapped")
        // The simulator's KA mobiles are +91 70 07 …: the new VN keeps region and type.
        let line = swapped.split(separator: "\n").first { $0.contains("Swapped") }.map(String.init) ?? ""
        #expect(line.contains("→ +917007"), "the new VN is a KA mobile:\n\(swapped)")
    }

    @Test func aDeallocatedRowSaysWhenAndByWhomItWasReleased() throws {
        let home = Binary.tempHome()
        let made = try Self.allocate(home: home, a: "+919111111111", b: "+918222222222")
        let tui = try Pane(home: home, env: ["GREENVN_OPERATOR": "asha"])
        try tui.waitFor(made.vn)
        try tui.type("d")
        try tui.waitFor("Deallocate \(made.vn)?")
        try tui.type("y")
        try tui.waitFor("moved to the vault")
        try tui.type("3")
        try tui.waitFor("released (deallocate)")
        let screen = try tui.screen()
        #expect(screen.contains("by            asha"), "who released it:\n\(screen)")
        #expect(screen.contains("released      20"), "when:\n\(screen)")
        #expect(!screen.contains("expires       in"), "no countdown beside vault:\n\(screen)")
    }

    /// Pane's waits, off the cooperative pool (an in-process simulator needs it to answer).
    @discardableResult
    func waitFor(_ tui: Pane, _ text: String) async throws -> String {
        try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try tui.waitFor(text) }) }.start()
        }
    }

    func waitUntilGone(_ tui: Pane, _ text: String) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            Thread { c.resume(with: Result { try tui.waitUntilGone(text) }) }.start()
        }
    }
}
