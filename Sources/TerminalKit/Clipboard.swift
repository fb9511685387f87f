#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What became of a copy. OSC 52 has no answer, so "copied" is said only where the terminal
/// is known to take it; everywhere else the operator is told what to check.
public enum ClipboardReport: Equatable, Sendable {
    /// Taken by something known to keep it (`via` names it: "tmux", "kitty"…).
    case copied(via: String)
    /// Sent, but nothing says it arrived; `why` says what would make it arrive.
    case unsure(String)
    /// Not sent at all.
    case failed(String)
}

/// Who will receive an OSC 52 sequence, from the environment and (inside tmux) its options.
/// Pure: `tmuxOption` answers `tmux show-options -gv NAME` (nil when tmux cannot be asked).
public enum ClipboardTarget {
    public static func report(environment env: [String: String], tmuxOption: (String) -> String?) -> ClipboardReport {
        if env["TMUX"].map({ !$0.isEmpty }) == true {
            switch tmuxOption("set-clipboard") {
            case "on":
                return .copied(via: "tmux")
            case let value?:
                if let p = tmuxOption("allow-passthrough"), p == "on" || p == "all" {
                    return .unsure("tmux passed it on to your terminal; if it does not arrive, your terminal refuses OSC 52 copies")
                }
                return .unsure("tmux drops it (its set-clipboard is \(value)): add `set -g set-clipboard on` to ~/.tmux.conf")
            case nil:
                return .unsure("tmux did not say whether it passes copies on (`set -g set-clipboard on` in ~/.tmux.conf makes sure)")
            }
        }
        if env["STY"].map({ !$0.isEmpty }) == true {
            return .unsure("GNU screen does not pass OSC 52 copies on by itself")
        }
        let term = env["TERM"] ?? "", program = env["TERM_PROGRAM"] ?? ""
        if term == "xterm-kitty" || env["KITTY_WINDOW_ID"] != nil { return .copied(via: "kitty") }
        if program == "WezTerm" || env["WEZTERM_PANE"] != nil { return .copied(via: "WezTerm") }
        if term == "foot" || term.hasPrefix("foot-") { return .copied(via: "foot") }
        if term == "alacritty" || env["ALACRITTY_WINDOW_ID"] != nil { return .copied(via: "Alacritty") }
        if term == "xterm-ghostty" || program == "ghostty" { return .copied(via: "Ghostty") }
        return .unsure("sent with OSC 52; terminals that do not allow it (GNOME Terminal, iTerm2 by default) ignore it")
    }
}

/// Reads one of tmux's global options with the tmux client of the session we run in.
enum TmuxOption {
    /// nil when tmux is not found, fails, or takes longer than half a second.
    static func value(of name: String) -> String? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let words: [String] = ["tmux", "show-options", "-gv", name]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, "tmux", &actions, nil, argv, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard rc == 0 else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        let deadline = Self.milliseconds() + 500
        while output.count < 4096 {
            var p = [pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)]
            let left = Int32(max(0, deadline - Self.milliseconds()))
            guard poll(&p, 1, left) > 0 else { kill(child, SIGKILL); break }
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else { return nil }
        while let last = output.last, last == 0x0A || last == 0x0D || last == 0x20 { output.removeLast() }
        return output.isEmpty ? nil : String(decoding: output, as: UTF8.self)
    }

    private static func milliseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}

/// OSC 52: asks the terminal to put text on the system clipboard. Works over SSH; inside tmux
/// the sequence is also sent wrapped for passthrough (used when tmux allows it).
enum OSC52 {
    /// The bytes to write for `text`.
    static func sequence(for text: String, tmux: Bool) -> [UInt8] {
        let plain = Array("\u{1b}]52;c;".utf8) + base64(Array(text.utf8)) + [0x07]
        guard tmux else { return plain }
        var wrapped = Array("\u{1b}Ptmux;".utf8)
        for byte in plain {
            if byte == 0x1B { wrapped.append(0x1B) }  // ESC is doubled inside the DCS
            wrapped.append(byte)
        }
        wrapped += Array("\u{1b}\\".utf8)
        return plain + wrapped
    }

    /// Standard base64 (RFC 4648) with padding.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }
}
