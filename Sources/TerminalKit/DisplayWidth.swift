/// Terminal column widths, computed in pure Swift so a Canvas is the same on every machine
/// whatever the locale. The tables match glibc's wcwidth(), which is what ncurses (and most
/// terminals) use to advance the cursor.
///
/// A grapheme is as wide as the sum of its scalars (terminals advance per scalar), except
/// emoji sequences joined by ZWJ or carrying a skin-tone modifier, which count as their first
/// emoji. Control characters are 0 wide here; `Canvas.put` replaces them with U+FFFD.
public enum DisplayWidth {
    public static func of(_ c: Character) -> Int {
        var total = 0
        for s in c.unicodeScalars {
            if isControl(s.value) { return 0 }
            total += scalarWidth(s.value)
        }
        if isEmojiSequence(c), let first = c.unicodeScalars.first { return scalarWidth(first.value) }
        return total
    }

    public static func of(_ s: String) -> Int {
        if isPrintableASCII(s) { return s.utf8.count }
        var total = 0
        for c in s { total += of(c) }
        return total
    }

    /// Every byte a printable ASCII character (space to "~"): one column and one grapheme each.
    /// Most of what the console draws (numbers, ids, labels) is, and skips the per-grapheme work.
    @inline(__always)
    public static func isPrintableASCII(_ s: String) -> Bool {
        let utf8 = s.utf8
        if let all = utf8.withContiguousStorageIfAvailable({ buffer in buffer.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }) {
            return all
        }
        return utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// `s` if it fits in `width` columns; otherwise its longest prefix that fits together with
    /// the ellipsis, followed by the ellipsis (no ellipsis if even that does not fit).
    public static func truncate(_ s: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if of(s) <= width { return s }
        if isPrintableASCII(s) && isPrintableASCII(ellipsis) || isPrintableASCII(s) && ellipsis == "…" {
            let ellipsisWidth = ellipsis == "…" ? 1 : ellipsis.utf8.count
            let useEllipsis = ellipsisWidth <= width
            let kept = String(decoding: s.utf8.prefix(useEllipsis ? width - ellipsisWidth : width), as: UTF8.self)
            return useEllipsis ? kept + ellipsis : kept
        }
        let ellipsisWidth = of(ellipsis)
        let useEllipsis = ellipsisWidth <= width
        let budget = useEllipsis ? width - ellipsisWidth : width
        var out = ""
        var used = 0
        for c in s {
            let w = of(c)
            if used + w > budget { break }
            out.append(c)
            used += w
        }
        return useEllipsis ? out + ellipsis : out
    }

    /// Exactly `width` columns: truncated with an ellipsis, or padded with spaces.
    public static func pad(_ s: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        let t = truncate(s, to: width)
        let short = width - of(t)
        return short > 0 ? t + String(repeating: " ", count: short) : t
    }

    // MARK: - Scalars

    /// C0, DEL, C1, and the line/paragraph separators: never sent to the terminal.
    static func isControl(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }

    /// 0, 1 or 2 columns for one printable scalar.
    static func scalarWidth(_ v: UInt32) -> Int {
        if v < 0x0300 { return isControl(v) ? 0 : 1 }
        if inRanges(WidthTables.zeroWidth, v) { return 0 }
        if inRanges(WidthTables.doubleWidth, v) { return 2 }
        return 1
    }

    /// Binary search in a flat array of inclusive [low, high] pairs sorted by low.
    private static func inRanges(_ table: [UInt32], _ v: UInt32) -> Bool {
        var lo = 0
        var hi = table.count / 2 - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < table[mid * 2] {
                hi = mid - 1
            } else if v > table[mid * 2 + 1] {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }

    private static func isEmojiSequence(_ c: Character) -> Bool {
        var first = true
        for s in c.unicodeScalars {
            if !first && (s.value == 0x200D || (0x1F3FB...0x1F3FF).contains(s.value)) { return true }
            first = false
        }
        return false
    }

    /// How a grapheme is handed to curses: each spacing scalar with the zero-width scalars that
    /// follow it (at most `maxCombining`), one curses cell per piece. Emoji sequences keep only
    /// their first emoji, matching `of(_:)`. Leading zero-width scalars are dropped.
    static func pieces(of c: Character, maxCombining: Int = 4) -> [[Unicode.Scalar]] {
        var out: [[Unicode.Scalar]] = []
        let emoji = isEmojiSequence(c)
        for s in c.unicodeScalars {
            let w = scalarWidth(s.value)
            if w > 0 {
                if emoji && !out.isEmpty { break }
                out.append([s])
            } else if !out.isEmpty, s.value != 0x200D, out[out.count - 1].count <= maxCombining {
                out[out.count - 1].append(s)
            }
        }
        return out
    }
}
