import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The terminal is given back however the console ends — q, SIGINT, SIGTERM, SIGHUP, Ctrl-C,
/// a crash — checked the way an operator would notice: after the binary exits, the shell's
/// `stty -a` shows `icanon` and `echo` on, and tmux says the pane left the alternate screen,
/// shows the cursor and no longer reports the mouse. And no size or storm of resizes kills it.
@Suite(.serialized) struct TerminalRestore {
    /// After the binary exited with `status`: cooked mode and echo back, main screen, cursor on,
    /// mouse reporting and application keypad off.
    static func expectRestored(_ tui: Pane, status: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try tui.waitFor("[exit \(status)", timeout: 60)
        try tui.waitFor("speed")   // stty -a has printed
        let screen = try tui.screen()
        #expect(screen.contains(" icanon") && !screen.contains("-icanon"), "icanon not restored:\n\(screen)", sourceLocation: sourceLocation)
        #expect(screen.contains(" echo ") && !screen.contains(" -echo "), "echo not restored:\n\(screen)", sourceLocation: sourceLocation)
        #expect(try tui.flag("alternate_on") == "0", "still on the alternate screen", sourceLocation: sourceLocation)
        #expect(try tui.flag("cursor_flag") == "1", "the cursor is still hidden", sourceLocation: sourceLocation)
        #expect(try tui.flag("mouse_any_flag") == "0", "the terminal still reports the mouse", sourceLocation: sourceLocation)
        #expect(try tui.flag("keypad_cursor_flag") == "0", "application cursor keys still on", sourceLocation: sourceLocation)
    }

    static func start(_ args: [String] = [], width: Int = 100, height: Int = 30, env: [String: String] = [:]) throws -> Pane {
        let tui = try Pane(args: args, width: width, height: height, env: env)
        try tui.waitFor("SIMULATOR")
        #expect(try tui.flag("alternate_on") == "1", "the console uses the alternate screen")
        return tui
    }

    @Test(arguments: [("INT", SIGINT), ("TERM", SIGTERM), ("HUP", SIGHUP)])
    func signalRestoresTheTerminal(_ c: (String, Int32)) throws {
        let tui = try Self.start()
        let pid = try tui.consolePid()
        #expect(kill(pid, c.1) == 0)
        try Self.expectRestored(tui, status: "\(128 + c.1)]")
    }

    /// Mid-edit (bracketed paste on, the cursor shown in a field), and Ctrl-C from the keyboard.
    @Test func signalInTheFormAndCtrlCRestoreTheTerminal() throws {
        let tui = try Self.start()
        try tui.type("n")
        try tui.waitFor("Ctrl-S allocate")
        try tui.type("98765")
        let pid = try tui.consolePid()
        #expect(kill(pid, SIGTERM) == 0)
        try Self.expectRestored(tui, status: "143]")

        let again = try Self.start()
        try again.type("/")
        try again.press("C-c")
        try Self.expectRestored(again, status: "130]")
    }

    @Test func crashRestoresTheTerminal() throws {
        // The backtracer off: it takes seconds to symbolicate (SecretsTests reads its report).
        let tui = try Pane(width: 100, height: 30, env: ["GREENVN_CRASH_AFTER_START": "1", "SWIFT_BACKTRACE": "enable=no"])
        let screen = try tui.waitFor("[exit", timeout: 60)
        let status = screen.components(separatedBy: "[exit ").last.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect((status ?? 0) > 128, "the hook did not crash the console (exit \(status.map(String.init) ?? "?")):\n\(screen)")
        try Self.expectRestored(tui, status: "")
    }

    /// A 20×6 terminal, then a storm of resizes between 20×6 and 200×60 (and a few absurd
    /// sizes), in the list and in a form with text: still alive, still answering keys.
    @Test func tinyTerminalAndRapidResizesNeverCrashIt() throws {
        let home = Binary.tempHome()
        for (a, b) in [("+919111111111", "+918222222222"), ("+919333333333", "+918444444444")] {
            let r = try Binary.run(["allocate", "--a", a, "--b", b, "--usage", "twoway"], env: Binary.environment(home: home))
            #expect(r.status == 0, "\(r.stderr)")
        }
        let tui = try Pane(width: 20, height: 6, home: home)
        try tui.waitFor("small")
        let pid = try tui.consolePid()
        for round in 0..<2 {
            if round == 1 {
                try tui.resize(width: 120, height: 36)
                try tui.waitFor("+919111111111")
                try tui.type("n")
                try tui.waitFor("Ctrl-S allocate")
                try tui.type("98765 43210, +91")
            }
            for i in 0..<50 {
                let (w, h) = i % 2 == 0 ? (200, 60) : (20, 6)
                try tui.resize(width: w, height: h)
                if i % 10 == 5 { usleep(30_000) }
            }
            for (w, h) in [(1, 1), (2, 40), (300, 2), (20, 6)] { try tui.resize(width: w, height: h) }
            usleep(300_000)
            #expect(kill(pid, 0) == 0, "the console died during the resizes (round \(round))")
            #expect(!(try tui.screen()).contains("[exit"), "the console exited during the resizes")
        }
        try tui.resize(width: 120, height: 36)
        try tui.waitFor("Ctrl-S allocate")
        #expect(try tui.screen().contains("98765 43210, +91"), "what was typed survived the resizes")
        try tui.press("Escape")
        try tui.type("y")
        try tui.waitFor("+919333333333")
        try tui.type("q")
        try Self.expectRestored(tui, status: "0]")
    }
}
