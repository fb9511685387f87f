import Foundation

/// The real binary in a real terminal: a detached tmux session driven with send-keys and read
/// with capture-pane, like an operator's hands and eyes.
///
/// Every tmux command runs through `Spawned` (every descriptor but 0/1/2 closed in the child):
/// a tmux server started by Foundation's `Process` inherits the socket Process watches for its
/// child's exit and holds it for its whole life, and the test waits forever.
final class Pane: @unchecked Sendable {
    enum Press { case enter, tab, backTab, escape, backspace, up, down, pageDown, ctrl(Character), raw(String) }

    let session: String
    let home: String
    let socket: String

    /// Starts `greenvn <args>` at width × height with a private data dir. When the binary exits
    /// the pane prints `[exit N]` and the shell's `stty -a`, then stays open to be read.
    init(args: [String] = [], width: Int = 120, height: Int = 36, home: String = Binary.tempHome(), env: [String: String] = [:]) throws {
        self.home = home
        session = "gvn-\(UUID().uuidString.prefix(8))"
        socket = "gvn-test-\(session)"
        var environment = Binary.environment(home: home, extra: env)
        environment["TERM"] = "xterm-256color"
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let command = "env -i \(exports) \(Self.quote(try Binary.executable())) \(args.map(Self.quote).joined(separator: " ")); echo \"[exit $?]\"; stty -a; sleep 300"
        let started = try run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "bash", "--norc", "-c", command])
        guard started.status == 0 else { throw ScreenMismatch(expected: "tmux new-session to succeed (status \(started.status)): \(started.stderr)", screen: "") }
    }

    deinit { _ = try? run(["kill-server"]) }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    private func run(_ args: [String]) throws -> Binary.Result {
        let env = ["PATH": Self.searchPath, "TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": home]
        return try Spawned(["-L", socket, "-f", "/dev/null"] + args, env: env, executable: Self.tmux.get()).waitSync(timeout: 30)
    }

    /// The test run's own PATH: where tmux (and the shell and `env` it starts) are found.
    static let searchPath = ProcessInfo.processInfo.environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin:/bin"

    /// tmux, found on PATH like a shell would find it.
    static let tmux: Result<String, SpawnFailure> = {
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/tmux"
            if FileManager.default.isExecutableFile(atPath: candidate) { return .success(candidate) }
        }
        return .failure(SpawnFailure("tmux is not on PATH (\(searchPath)): install it (`apt-get install tmux`); the console's end-to-end tests drive the binary inside it"))
    }()

    /// A tmux client command; its standard output.
    @discardableResult
    func tmux(_ args: [String]) throws -> String { try run(args).stdout }

    func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]) }

    /// A key by tmux's name for it ("Escape", "C-c", "NPage").
    func press(_ name: String) throws { try tmux(["send-keys", "-t", session, name]) }

    func press(_ key: Press) throws {
        switch key {
        case .enter: try press("Enter")
        case .tab: try press("Tab")
        case .backTab: try press("BTab")
        case .escape: try press("Escape")
        case .backspace: try press("BSpace")
        case .up: try press("Up")
        case .down: try press("Down")
        case .pageDown: try press("NPage")
        case .ctrl(let c): try press("C-\(c)")
        case .raw(let s): try press(s)
        }
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }
    /// With colours and attributes as escape sequences.
    func styled() throws -> String { try tmux(["capture-pane", "-e", "-p", "-t", session]) }
    /// Everything the pane printed, scrollback included.
    func history() throws -> String { try tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", session]) }
    /// A tmux format variable of the pane (`alternate_on`, `pane_pid`, …).
    func flag(_ name: String) throws -> String {
        try tmux(["display-message", "-p", "-t", session, "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The greenvn process in the pane (bash → env → exec greenvn): a descendant of the pane's
    /// shell named greenvn, found through /proc/PID/stat.
    func consolePid(timeout: Double = 20) throws -> pid_t {
        let shell = try flag("pane_pid")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var parent: [pid_t: pid_t] = [:], name: [pid_t: Substring] = [:]
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(entry),
                      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
                guard fields.count > 1, let ppid = pid_t(fields[1]) else { continue }
                parent[pid] = ppid
                name[pid] = stat[stat.index(after: open)..<close]
            }
            for (pid, comm) in name where comm == "greenvn" {
                var p = pid
                while let up = parent[p], up > 1 { if String(up) == shell { return pid }; p = up }
            }
            usleep(50_000)
        }
        throw ScreenMismatch(expected: "a greenvn process under pane pid \(shell)", screen: (try? screen()) ?? "")
    }

    /// From an empty list (whose empty state says "Press n"), opens the allocation form, types
    /// the A and B numbers (focus starts in the A-party numbers) and submits with Ctrl-S.
    func allocateThroughTheForm(a: String, b: String) throws {
        try waitFor("Press n")
        try type("n")
        try waitFor("Ctrl-S allocate")
        try type(a)
        try press(.tab)
        try type(b)
        try press(.ctrl("s"))
    }

    /// Waits until the screen contains `text`; throws with the last screen when it never does.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.contains(text) { return last }
            usleep(50_000)
        }
        throw ScreenMismatch(expected: text, screen: last)
    }

    func waitUntilGone(_ text: String, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if !last.contains(text) { return }
            usleep(50_000)
        }
        throw ScreenMismatch(expected: "no \(text)", screen: last)
    }

    struct ScreenMismatch: Error, CustomStringConvertible {
        let expected: String
        let screen: String
        var description: String { "waited for \"\(expected)\"; the screen was:\n\(screen)" }
    }
}

