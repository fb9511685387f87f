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
    /// The console's process: the child of the pane's shell (`env -i` execs the binary).
    static func consolePid(_ tui: Pane, timeout: Double = 20) throws -> pid_t {
        let pane = try tui.tmux(["list-panes", "-t", tui.session, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let shell = try #require(pid_t(pane), "no pane pid: \(pane)")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(name),
                      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let comm = stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]
                let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
                if fields.count > 1, pid_t(fields[1]) == shell, comm == "greenvn" { return pid }
            }
            usleep(50_000)
        }
        throw TmuxConsole.ScreenMismatch(expected: "a greenvn process under pane pid \(shell)", screen: try tui.screen())
    }

    static func flag(_ tui: Pane, _ name: String) throws -> String {
        try tui.tmux(["display-message", "-p", "-t", tui.session, "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// After the binary exited with `status`: cooked mode and echo back, main screen, cursor on,
    /// mouse reporting and application keypad off.
    static func expectRestored(_ tui: Pane, status: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let after = try tui.waitFor("[exit \(status)", timeout: 60)
        try tui.waitFor("speed")   // stty -a has printed
        let screen = try tui.screen()
        #expect(screen.contains(" icanon") && !screen.contains("-icanon"), "icanon not restored:\n\(screen)", sourceLocation: sourceLocation)
        #expect(screen.contains(" echo ") && !screen.contains(" -echo "), "echo not restored:\n\(screen)", sourceLocation: sourceLocation)
        #expect(try flag(tui, "alternate_on") == "0", "still on the alternate screen", sourceLocation: sourceLocation)
        #expect(try flag(tui, "cursor_flag") == "1", "the cursor is still hidden", sourceLocation: sourceLocation)
        #expect(try flag(tui, "mouse_any_flag") == "0", "the terminal still reports the mouse", sourceLocation: sourceLocation)
        #expect(try flag(tui, "keypad_cursor_flag") == "0", "application cursor keys still on", sourceLocation: sourceLocation)
        _ = after
    }

    static func start(_ args: [String] = [], width: Int = 100, height: Int = 30, env: [String: String] = [:]) throws -> Pane {
        let tui = try Pane(args: args, width: width, height: height, env: env)
        try tui.waitFor("SIMULATOR")
        #expect(try flag(tui, "alternate_on") == "1", "the console uses the alternate screen")
        return tui
    }

    @Test(arguments: [("INT", SIGINT), ("TERM", SIGTERM), ("HUP", SIGHUP)])
    func signalRestoresTheTerminal(_ c: (String, Int32)) throws {
        let tui = try Self.start()
        let pid = try Self.consolePid(tui)
        #expect(kill(pid, c.1) == 0)
        try Self.expectRestored(tui, status: "\(128 + c.1)]")
    }

    /// Mid-edit (bracketed paste on, the cursor shown in a field), and Ctrl-C from the keyboard.
    @Test func signalInTheFormAndCtrlCRestoreTheTerminal() throws {
        let tui = try Self.start()
        try tui.type("n")
        try tui.waitFor("A-party")
        try tui.type("98765")
        let pid = try Self.consolePid(tui)
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
        let pid = try Self.consolePid(tui)
        for round in 0..<2 {
            if round == 1 {
                try tui.resize(width: 120, height: 36)
                try tui.waitFor("+919111111111")
                try tui.type("n")
                try tui.waitFor("A-party")
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
        try tui.waitFor("A-party")
        #expect(try tui.screen().contains("98765 43210, +91"), "what was typed survived the resizes")
        try tui.press("Escape")
        try tui.type("y")
        try tui.waitFor("+919333333333")
        try tui.type("q")
        try Self.expectRestored(tui, status: "0]")
    }
}

// MARK: - A tmux pane whose server never holds the test process's descriptors

/// `TmuxConsole` with one difference: the tmux server is started by a helper that closes every
/// inherited descriptor first. A server started straight from Foundation's `Process` inherits
/// the socket Foundation watches to learn that its child exited, holds it for its whole life,
/// and `waitUntilExit()` on the `new-session` client then never returns (seen here: the
/// server holding the peer of a socket of the test process, the test stuck for good).
final class Pane {
    let session: String
    let home: String
    let socket: String

    init(args: [String] = [], width: Int = 120, height: Int = 36, home: String = Binary.tempHome(), env: [String: String] = [:]) throws {
        self.home = home
        session = "gvn-\(UUID().uuidString.prefix(8))"
        socket = "gvn-rel-\(session)"
        var environment = Binary.environment(home: home, extra: env)
        environment["TERM"] = "xterm-256color"
        let exports = environment.map { "\($0.key)=\(TmuxConsole.quote($0.value))" }.joined(separator: " ")
        let command = "env -i \(exports) \(TmuxConsole.quote(Binary.path)) \(args.map(TmuxConsole.quote).joined(separator: " ")); echo \"[exit $?]\"; stty -a; sleep 600"
        let close = #"for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done 2>/dev/null; exec "$@""#
        let argv = ["/bin/bash", "--norc", "-c", close, "closefds", "/usr/bin/tmux", "-L", socket, "-f", "/dev/null",
                    "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "bash", "--norc", "-c", command]
        let status = try Self.spawnAndWait(argv)
        guard status == 0 else { throw TmuxConsole.ScreenMismatch(expected: "tmux new-session to succeed (status \(status))", screen: "") }
    }

    deinit { _ = try? tmux(["kill-server"]) }

    /// posix_spawn + waitpid: no Foundation bookkeeping for this child, stdio on /dev/null.
    static func spawnAndWait(_ argv: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { _ = posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let envStrings: [String] = ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"]
        let cEnv: [UnsafeMutablePointer<CChar>?] = envStrings.map { strdup($0) } + [nil]
        defer { cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno == ECHILD { return 0 }   // reaped elsewhere (SIGCHLD ignored)
            if errno != EINTR { return -1 }
        }
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// A client command (clients never fork a server here, so reading their output is safe).
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        p.arguments = ["-L", socket, "-f", "/dev/null"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]) }
    func press(_ key: String) throws { try tmux(["send-keys", "-t", session, key]) }
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }
    /// With colours and attributes as escape sequences.
    func styled() throws -> String { try tmux(["capture-pane", "-e", "-p", "-t", session]) }
    /// Everything the pane printed, scrollback included.
    func history() throws -> String { try tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", session]) }
    func flag(_ name: String) throws -> String {
        try tmux(["display-message", "-p", "-t", session, "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func resize(width: Int, height: Int) throws { try tmux(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"]) }

    @discardableResult
    func waitFor(_ text: String, timeout: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.contains(text) { return last }
            usleep(50_000)
        }
        throw TmuxConsole.ScreenMismatch(expected: text, screen: last)
    }
}
