import TerminalKit

/// A single-line text input. Holds only printable text: typed and pasted control characters
/// and escape sequences never get in.
struct TextField: Equatable, Sendable {
    static let maxLength = 2_000

    private(set) var chars: [Character]
    /// Insertion point, 0…chars.count.
    private(set) var cursor: Int

    init(_ text: String = "") {
        chars = Array(TextField.clean(text, newlines: " ").prefix(TextField.maxLength))
        cursor = chars.count
    }

    var text: String { String(chars) }
    var isEmpty: Bool { chars.isEmpty }
    /// The character the cursor sits on (nil at the end).
    var atCursor: Character? { cursor < chars.count ? chars[cursor] : nil }

    mutating func insert(_ raw: String, newlines: String = " ") {
        let clean = Array(TextField.clean(raw, newlines: newlines))
        let room = max(0, TextField.maxLength - chars.count)
        chars.insert(contentsOf: clean.prefix(room), at: cursor)
        cursor += min(room, clean.count)
    }

    mutating func left() { cursor = max(0, cursor - 1) }
    mutating func right() { cursor = min(chars.count, cursor + 1) }
    mutating func home() { cursor = 0 }
    mutating func end() { cursor = chars.count }
    mutating func clear() { chars = []; cursor = 0 }

    mutating func backspace() {
        guard cursor > 0 else { return }
        chars.remove(at: cursor - 1)
        cursor -= 1
    }

    mutating func deleteForward() {
        guard cursor < chars.count else { return }
        chars.remove(at: cursor)
    }

    /// The part of the text that fits in `width` columns with the cursor in view, and the
    /// cursor's column within it (one column is kept free at the end for the cursor).
    func window(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 0 else { return ("", 0) }
        var start = 0
        func columns(_ from: Int, _ to: Int) -> Int { DisplayWidth.of(String(chars[from..<to])) }
        while start < cursor && columns(start, cursor) > width - 1 { start += 1 }
        var shown = ""
        var used = 0
        for ch in chars[start...] {
            let w = DisplayWidth.of(String(ch))
            if used + w > width { break }
            shown.append(ch)
            used += w
        }
        return (shown, columns(start, cursor))
    }

    /// Drops C0/C1 controls, DEL and whole escape sequences (CSI, OSC, bracketed-paste
    /// markers); line breaks and tabs become `newlines`.
    static func clean(_ raw: String, newlines: String) -> String {
        var out = ""
        var scalars = raw.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return scalars.next()
        }
        while let s = next() {
            switch s.value {
            case 0x0A, 0x0D, 0x09:
                if !out.hasSuffix(newlines) { out += newlines }
            case 0x1B, 0x9B, 0x9D:
                skipEscape(introducer: s, next: next, pushBack: { pending = $0 })
            case 0..<0x20, 0x7F, 0x80...0x9F:
                continue
            default:
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    private static func skipEscape(introducer: Unicode.Scalar, next: () -> Unicode.Scalar?, pushBack: (Unicode.Scalar) -> Void) {
        var kind = introducer.value
        if kind == 0x1B {
            guard let second = next() else { return }
            switch second {
            case "[": kind = 0x9B
            case "]", "P", "_", "^", "X": kind = 0x9D
            default:
                // Two-character escape (ESC c, ESC 7…): the second char belongs to it;
                // a control char after a stray ESC is handled on its own.
                if second.value < 0x20 { pushBack(second) }
                return
            }
        }
        if kind == 0x9B {
            // CSI: parameters and intermediates, then one final byte 0x40–0x7E.
            while let c = next() {
                if (0x40...0x7E).contains(c.value) { return }
                if c.value < 0x20 || c.value > 0x7E { pushBack(c); return }
            }
        } else {
            // OSC/DCS/APC…: up to BEL or ST (ESC \).
            while let c = next() {
                if c.value == 0x07 || c.value == 0x9C { return }
                if c.value == 0x1B { _ = next(); return }
            }
        }
    }
}
