/// Making untrusted text (server answers, operator input) safe to show on a terminal.
public enum Text {
    /// Replaces control characters (C0, DEL, C1 — ESC among them) with "?" so nothing the
    /// server or a CSV says can paint escape sequences; cuts at `limit` characters.
    public static func printable(_ s: String, limit: Int = 200) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            if count >= limit { out += "…"; break }
            let v = scalar.value
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) {
                out += "?"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    /// True when the string holds a control character (typed, pasted or sent by a server).
    public static func hasControl(_ s: String) -> Bool {
        s.unicodeScalars.contains { v in v.value < 0x20 || v.value == 0x7F || (0x80...0x9F).contains(v.value) }
    }
}
