/// One screen cell: a single grapheme, or "" for a column covered by the wide grapheme to its left.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: Style

    public init(text: String = " ", style: Style = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell()
}

public struct Rect: Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The rect shrunk by `n` on every side (never negative in size).
    public func inset(by n: Int) -> Rect {
        Rect(x: x + n, y: y + n, width: max(0, width - 2 * n), height: max(0, height - 2 * n))
    }
}

/// A grid of cells that views draw into. Pure value: rendering is testable without a terminal,
/// and the Terminal blits only what changed between two canvases.
///
/// Invariant: a grapheme `w` columns wide is stored in its first cell and followed by `w - 1`
/// cells whose text is "". Every write keeps this true: overwriting half of a wide grapheme
/// turns the rest of it into spaces.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at (x, y); a blank cell outside the canvas. `canvas[x, y]`.
    public subscript(x: Int, y: Int) -> Cell {
        guard contains(x: x, y: y) else { return .blank }
        return cells[y * width + x]
    }

    /// The same, labelled: `canvas[x: 3, y: 1]`.
    public subscript(x x: Int, y y: Int) -> Cell {
        self[x, y]
    }

    /// Writes text at (x, y), clipped to `maxWidth` columns (default: to the right edge).
    /// Wide graphemes take two columns; one that does not fit is replaced by a space.
    /// Zero-width graphemes on their own are dropped. Control characters (C0, DEL, C1, ESC)
    /// are never stored: each grapheme holding one becomes U+FFFD, so nothing drawn can
    /// carry an escape sequence to the terminal. Returns the columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        var limit = width
        if let maxWidth {
            let room = width - x  // x < width, so no overflow
            limit = x + min(max(0, maxWidth), room)
        }
        var col = x
        var written = 0
        if DisplayWidth.isPrintableASCII(text) {
            // One column per byte, nothing to replace: the same cells as the loop below.
            for byte in text.utf8 {
                if col >= limit { break }
                if col >= 0 {
                    place(String(UnicodeScalar(byte)), width: 1, x: col, y: y, style: style)
                    written += 1
                }
                col += 1
            }
            return written
        }
        for c in text {
            if col >= limit { break }
            var grapheme = String(c)
            var w = DisplayWidth.of(c)
            if c.unicodeScalars.contains(where: { DisplayWidth.isControl($0.value) }) {
                grapheme = "\u{FFFD}"
                w = 1
            }
            if w == 0 { continue }
            if col + w > limit || col < 0 {
                // Clipped on the right or the left: the visible columns become spaces.
                for i in 0..<w where col + i >= 0 && col + i < limit {
                    place(" ", width: 1, x: col + i, y: y, style: style)
                    written += 1
                }
                if col + w > limit { break }
                col += w
                continue
            }
            place(grapheme, width: w, x: col, y: y, style: style)
            written += w
            col += w
        }
        return written
    }

    /// Fills a rect with spaces in `style`.
    public mutating func fill(_ rect: Rect, style: Style) {
        Self.forEachCell(in: rect, width: width, height: height) { x, y in place(" ", width: 1, x: x, y: y, style: style) }
    }

    /// A horizontal line of "─".
    public mutating func hline(x: Int, y: Int, width: Int, style: Style = .plain) {
        Self.forEachCell(in: Rect(x: x, y: y, width: width, height: 1), width: self.width, height: self.height) { x, y in
            place("─", width: 1, x: x, y: y, style: style)
        }
    }

    /// A vertical line of "│".
    public mutating func vline(x: Int, y: Int, height: Int, style: Style = .plain) {
        Self.forEachCell(in: Rect(x: x, y: y, width: 1, height: height), width: self.width, height: self.height) { x, y in
            place("│", width: 1, x: x, y: y, style: style)
        }
    }

    /// A single-line box around the edge of `rect`; the inside is left as it is.
    /// A title sits in the top border as `┌─ Title ──┐`, truncated with "…" to fit.
    public mutating func box(_ rect: Rect, title: String? = nil, style: Style = .plain) {
        box(rect, title: title, style: style, titleStyle: style)
    }

    /// `box(_:title:style:)` with the title drawn in its own style.
    public mutating func box(_ rect: Rect, title: String?, style: Style, titleStyle: Style) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let right = rect.x + rect.width - 1
        let bottom = rect.y + rect.height - 1
        hline(x: rect.x + 1, y: rect.y, width: rect.width - 2, style: style)
        hline(x: rect.x + 1, y: bottom, width: rect.width - 2, style: style)
        vline(x: rect.x, y: rect.y + 1, height: rect.height - 2, style: style)
        vline(x: right, y: rect.y + 1, height: rect.height - 2, style: style)
        put("┌", x: rect.x, y: rect.y, style: style)
        put("┐", x: right, y: rect.y, style: style)
        put("└", x: rect.x, y: bottom, style: style)
        put("┘", x: right, y: bottom, style: style)
        guard let title, !title.isEmpty else { return }
        let room = rect.width - 6  // "┌─ " + title + " ─┐"
        guard room >= 1 else { return }
        let shown = " " + DisplayWidth.truncate(title, to: room) + " "
        put(shown, x: rect.x + 2, y: rect.y, style: titleStyle, maxWidth: room + 2)
    }

    /// Restyles every cell in `rect` (e.g. reverse the selected row), keeping its text.
    public mutating func style(_ rect: Rect, _ transform: (inout Style) -> Void) {
        let w = width
        Self.forEachCell(in: rect, width: width, height: height) { x, y in transform(&cells[y * w + x].style) }
    }

    /// Copies `other` onto this canvas with its top-left corner at (x, y), clipped. Wide
    /// graphemes cut by an edge become spaces. For overlays: dialogs, help, toasts.
    public mutating func blit(_ other: Canvas, x: Int, y: Int) {
        for oy in 0..<other.height where y + oy >= 0 && y + oy < height {
            var ox = 0
            while ox < other.width {
                let cell = other.cells[oy * other.width + ox]
                if cell.text.isEmpty { ox += 1; continue }  // orphan continuation: impossible by invariant
                var w = 1
                while ox + w < other.width && other.cells[oy * other.width + ox + w].text.isEmpty { w += 1 }
                let tx = x + ox
                if tx >= 0 && tx + w <= width {
                    place(cell.text, width: w, x: tx, y: y + oy, style: cell.style)
                } else {
                    for i in 0..<w where tx + i >= 0 && tx + i < width {
                        place(" ", width: 1, x: tx + i, y: y + oy, style: cell.style)
                    }
                }
                ox += w
            }
        }
    }

    /// The plain text of each row (continuation cells omitted), trailing spaces trimmed.
    public func lines() -> [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width { line += cells[y * width + x].text }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    // MARK: - Internals

    func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// Static, not a method: a closure that mutates the canvas while a method of the same
    /// canvas runs would make Swift copy every cell first (exclusive access), once per call.
    private static func forEachCell(in rect: Rect, width: Int, height: Int, _ body: (Int, Int) -> Void) {
        let x0 = max(0, rect.x), y0 = max(0, rect.y)
        let x1 = min(width, rect.x + max(0, rect.width)), y1 = min(height, rect.y + max(0, rect.height))
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { body(x, y) }
        }
    }

    /// Stores a grapheme `w` columns wide at (x, y), which must fit. Any wide grapheme it
    /// partly overwrites is reduced to spaces so the invariant holds.
    private mutating func place(_ text: String, width w: Int, x: Int, y: Int, style: Style) {
        let row = y * width
        if cells[row + x].text.isEmpty {
            var lead = x - 1
            while lead >= 0 && cells[row + lead].text.isEmpty { lead -= 1 }
            for i in max(0, lead)..<x { cells[row + i].text = " " }
        }
        var after = x + w
        while after < width && cells[row + after].text.isEmpty {
            cells[row + after].text = " "
            after += 1
        }
        cells[row + x] = Cell(text: text, style: style)
        for i in 1..<max(1, w) { cells[row + x + i] = Cell(text: "", style: style) }
    }
}
