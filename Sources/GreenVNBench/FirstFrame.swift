import Foundation

/// `greenvn-bench first-frame --out FILE`: reads what a terminal pane shows (tmux's pipe-pane
/// hands it the console's output as it is written) and records the moment the first frame
/// holding the list's rows reached the terminal: its position line " 1 of N " is drawn only
/// once a page of rows is on screen. Nothing in the product is hooked: this is the frame the
/// operator sees, timed when its bytes arrive.
enum FirstFrameWatch {
    static func run(out path: String) {
        var text: [UInt8] = []
        var escape = EscapeSkipper()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(0, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { fail("the pane closed before a frame with rows was drawn") }
            for byte in buffer[0..<n] where escape.keeps(byte) { text.append(byte) }
            if containsPosition(text) {
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                let stamp = String(format: "%ld.%06ld\n", ts.tv_sec, ts.tv_nsec / 1_000)   // as bash's EPOCHREALTIME
                guard FileManager.default.createFile(atPath: path, contents: Data(stamp.utf8)) else { fail("cannot write \(path)") }
                return
            }
            if text.count > 4_096 { text.removeFirst(text.count - 64) }
        }
    }

    /// " of " and a digit: the list's position ("1 of 100000"), drawn with the first rows.
    static func containsPosition(_ text: [UInt8]) -> Bool {
        let of = Array(" of ".utf8)
        guard text.count > of.count else { return false }
        for i in 0..<(text.count - of.count) where Array(text[i..<(i + of.count)]) == of {
            if (0x30...0x39).contains(text[i + of.count]) { return true }
        }
        return false
    }

    /// Drops terminal control sequences (CSI, OSC, DCS and two-byte escapes) and control bytes.
    struct EscapeSkipper {
        enum Mode { case text, escape, csi, string, stringEscape }
        var mode = Mode.text

        mutating func keeps(_ b: UInt8) -> Bool {
            switch mode {
            case .text:
                if b == 0x1B { mode = .escape; return false }
                return b >= 0x20 && b != 0x7F
            case .escape:
                switch b {
                case UInt8(ascii: "["): mode = .csi
                case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "^"): mode = .string
                case 0x20...0x2F: break   // intermediates of a two-byte escape (ESC ( B)
                default: mode = .text
                }
                return false
            case .csi:
                if (0x40...0x7E).contains(b) { mode = .text }
                return false
            case .string:
                if b == 0x07 { mode = .text } else if b == 0x1B { mode = .stringEscape }
                return false
            case .stringEscape:
                mode = b == UInt8(ascii: "\\") ? .text : .string
                return false
            }
        }
    }
}
