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
