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

    /// `s.trimmingCharacters(in: .whitespaces)` (`newlines`: `.whitespacesAndNewlines`), the same
    /// scalars trimmed, without Foundation's trip through NSString (which looks up protocol
    /// conformances at run time, and runs for every number validated).
    public static func trimmed(_ s: String, newlines: Bool = false) -> String {
        let scalars = s.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, isSpace(scalars[start], newlines: newlines) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)], newlines: newlines) { end = scalars.index(before: end) }
        return start == scalars.startIndex && end == scalars.endIndex ? s : String(scalars[start..<end])
    }

    /// Unicode's space separators and tab (CharacterSet.whitespaces); with `newlines`, also line
    /// and paragraph separators, LF, VT, FF, CR and NEL (CharacterSet.whitespacesAndNewlines).
    static func isSpace(_ c: Unicode.Scalar, newlines: Bool) -> Bool {
        switch c.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true   // Foundation counts U+200B too
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return newlines
        default: return false
        }
    }
}
