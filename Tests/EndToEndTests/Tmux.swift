import Foundation

/// The real binary in a real terminal: a detached tmux session driven with send-keys and read
/// with capture-pane, like an operator's hands and eyes.
final class TmuxConsole {
    enum Press { case enter, tab, backTab, escape, backspace, up, down, pageDown, ctrl(Character), raw(String) }

    let session: String
    let home: String
    private let socket: String

    /// Starts `greenvn <args>` at width × height with a private data dir.
    init(args: [String] = [], width: Int = 120, height: Int = 36, home: String = Binary.tempHome(), env: [String: String] = [:]) throws {
        self.home = home
        session = "gvn-\(UUID().uuidString.prefix(8))"
        socket = "gvn-test-\(session)"
        var environment = Binary.environment(home: home, extra: env)
        environment["TERM"] = "xterm-256color"
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let command = "env -i \(exports) \(Self.quote(Binary.path)) \(args.map(Self.quote).joined(separator: " ")); echo \"[exit $?]\"; stty -a; sleep 600"
        try tmux(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "bash", "--norc", "-c", command])
    }

    deinit { _ = try? tmux(["kill-server"]) }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a tmux client command. Only commands that print are read through a pipe: the tmux
    /// server started by `new-session` would inherit a pipe and hold it open forever.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        p.arguments = ["-L", socket, "-f", "/dev/null"] + args
        p.standardInput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let prints = ["capture-pane", "list-panes", "display-message"].contains(args.first ?? "")
        let out = Pipe()
        p.standardOutput = prints ? out : FileHandle.nullDevice
        try p.run()
        let data = prints ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]) }

    func press(_ key: Press) throws {
        let name: String
        switch key {
        case .enter: name = "Enter"
        case .tab: name = "Tab"
        case .backTab: name = "BTab"
        case .escape: name = "Escape"
        case .backspace: name = "BSpace"
        case .up: name = "Up"
        case .down: name = "Down"
        case .pageDown: name = "NPage"
        case .ctrl(let c): name = "C-\(c)"
        case .raw(let s): name = s
        }
        try tmux(["send-keys", "-t", session, name])
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen contains `text`; throws with the last screen when it never does.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.contains(text) { return last }
            usleep(50_000)
        }
        throw ScreenMismatch(expected: text, screen: last)
    }

    func waitUntilGone(_ text: String, timeout: Double = 20) throws {
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
