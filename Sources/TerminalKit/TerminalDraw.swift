#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcurses

extension Terminal {
    /// Shows a frame. Only the changed part of each row is handed to curses; after a size
    /// change, a SIGCONT or a change of canvas size the whole screen is cleared and redrawn.
    /// A canvas larger than the screen is clipped, a smaller one leaves the rest blank.
    public func draw(_ canvas: Canvas) {
        guard !stopped else { return }
        let win = gv_stdscr()
        let screen = size
        var full = needsFullRepaint || paintedSize != screen
        if previous?.width != canvas.width || previous?.height != canvas.height { full = true }
        if full {
            werase(win)
            clearok(win, true)
        }
        let rows = min(screen.height, canvas.height)
        let cols = min(screen.width, canvas.width)
        for y in 0..<max(0, rows) {
            if full {
                if cols > 0 { drawSpan(canvas, y: y, from: 0, through: cols - 1, limit: cols) }
            } else if let previous, let span = Self.changedSpan(old: previous, new: canvas, y: y, limit: cols) {
                drawSpan(canvas, y: y, from: span.from, through: span.through, limit: cols)
            }
        }
        applyCursor()
        wnoutrefresh(win)
        doupdate()
        previous = canvas
        paintedSize = screen
        needsFullRepaint = false
    }

    /// The columns of row y that differ between two same-sized canvases, widened so that no
    /// wide grapheme (old or new) is cut at either end. Nil if the row is unchanged.
    static func changedSpan(old: Canvas, new: Canvas, y: Int, limit: Int) -> (from: Int, through: Int)? {
        let base = y * new.width
        var lo = 0
        while lo < limit && old.cells[base + lo] == new.cells[base + lo] { lo += 1 }
        guard lo < limit else { return nil }
        var hi = limit - 1
        while hi > lo && old.cells[base + hi] == new.cells[base + hi] { hi -= 1 }
        while lo > 0 && (old.cells[base + lo].text.isEmpty || new.cells[base + lo].text.isEmpty) { lo -= 1 }
        while hi + 1 < limit && (old.cells[base + hi + 1].text.isEmpty || new.cells[base + hi + 1].text.isEmpty) {
            hi += 1
        }
        return (lo, hi)
    }

    private func drawSpan(_ canvas: Canvas, y: Int, from: Int, through: Int, limit: Int) {
        let base = y * canvas.width
        var x = from
        while x <= through {
            let cell = canvas.cells[base + x]
            var width = 1
            while x + width < canvas.width && canvas.cells[base + x + width].text.isEmpty { width += 1 }
            if cell.text.isEmpty {
                drawGrapheme(" ", style: cell.style, x: x, y: y, width: 1, available: 1)
                x += 1
                continue
            }
            drawGrapheme(cell.text, style: cell.style, x: x, y: y, width: width, available: min(width, limit - x))
            x += width
        }
    }

    /// Draws one grapheme that takes `width` columns, as one curses cell per spacing scalar.
    /// If the C library disagrees about its width, or the screen edge cuts it, what is left of
    /// its columns is filled with spaces so the rest of the row stays where the Canvas put it.
    private func drawGrapheme(_ text: String, style: Style, x: Int, y: Int, width: Int, available: Int) {
        let (attrs, pair) = attributes(for: style)
        var col = 0
        if available == width, let c = text.first {
            for piece in DisplayWidth.pieces(of: c) {
                let v = piece[0].value
                let w = v < 0x7F ? 1 : Int(gv_wcwidth(v))
                if w < 1 || col + w > width { break }
                putCell(piece, x: x + col, y: y, attrs: attrs, pair: pair)
                col += w
            }
            if col == 0 {
                putCell(["?"], x: x, y: y, attrs: attrs, pair: pair)
                col = 1
            }
        }
        while col < available {
            putCell([" "], x: x + col, y: y, attrs: attrs, pair: pair)
            col += 1
        }
    }

    private func putCell(_ scalars: [Unicode.Scalar], x: Int, y: Int, attrs: attr_t, pair: Int16) {
        var wch: [wchar_t] = [0, 0, 0, 0, 0, 0]
        for (i, s) in scalars.prefix(5).enumerated() { wch[i] = wchar_t(bitPattern: s.value) }
        _ = gv_put_cell(gv_stdscr(), Int32(y), Int32(x), wch, attrs, Int32(pair))
    }

    /// curses attributes and colour pair for a style, allocating the pair on first use.
    private func attributes(for style: Style) -> (attr_t, Int16) {
        if let cached = attributeCache[style] { return cached }
        var attrs = gv_a_normal()
        var pair: Int16 = 0
        if usesColor {
            let resolved = palette.resolve(style)
            if let (number, colors) = resolved.new { init_pair(number, colors.fg, colors.bg) }
            pair = resolved.pair
            if resolved.extraBold { attrs |= gv_a_bold() }
        }
        if style.bold { attrs |= gv_a_bold() }
        if style.dim { attrs |= gv_a_dim() }
        if style.reverse { attrs |= gv_a_reverse() }
        if style.underline { attrs |= gv_a_underline() }
        attributeCache[style] = (attrs, pair)
        return (attrs, pair)
    }

    /// Places (or hides) the hardware cursor as last asked by `setCursor`.
    func applyCursor() {
        let win = gv_stdscr()
        let screen = size
        let inside = cursor.x >= 0 && cursor.y >= 0 && cursor.x < screen.width && cursor.y < screen.height
        if cursor.visible && inside {
            if !cursorShown { curs_set(1); cursorShown = true }
            wmove(win, Int32(cursor.y), Int32(cursor.x))
        } else if cursorShown {
            curs_set(0)
            cursorShown = false
        }
    }
}
