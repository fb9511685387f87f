import TerminalKit

/// The terminal's own 16 colours on its default background. Everything that must be seen
/// in monochrome (--no-color) also carries bold, reverse or underline.
enum Theme {
    static let plain = Style.plain
    static let selected = Style(reverse: true)
    static let header = Style(bold: true)
    static let title = Style(bold: true)
    static let dim = Style(dim: true)
    static let border = Style(fg: .brightBlack)
    static let focusBorder = Style(fg: .cyan)
    static let dangerBorder = Style(fg: .red, bold: true)
    static let key = Style(fg: .cyan, bold: true)
    static let label = Style(fg: .brightBlack)
    // Badges are reversed so they stand out with or without colour.
    static let appBadge = Style(fg: .green, bold: true, reverse: true)
    static let simulatorBadge = Style(fg: .yellow, bold: true, reverse: true)
    static let targetBadge = Style(fg: .cyan, reverse: true)
    static let readOnlyBadge = Style(fg: .red, bold: true, reverse: true)
    static let tabCurrent = Style(bold: true, reverse: true)
    static let ok = Style(fg: .green)
    static let warn = Style(fg: .yellow, bold: true)
    static let error = Style(fg: .red, bold: true)
    static let pending = Style(fg: .yellow)
    static let idUnknown = Style(fg: .magenta, bold: true)
    static let vault = Style(dim: true)
    static let input = Style(underline: true)
    static let cursor = Style(reverse: true)
    static let spinner = Style(fg: .cyan, bold: true)

    static let spinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
}

extension Canvas {
    /// `text` cut to `width` columns (with …), never past it.
    @discardableResult
    mutating func text(_ s: String, x: Int, y: Int, width: Int, style: Style = .plain) -> Int {
        guard width > 0 else { return 0 }
        return put(DisplayWidth.truncate(s, to: width), x: x, y: y, style: style, maxWidth: width)
    }

    /// Clears `rect` and draws a box around it: the frame of an overlay.
    mutating func panel(_ rect: Rect, title: String? = nil, style: Style = Theme.border) {
        fill(rect, style: .plain)
        box(rect, title: nil, style: style)
        if let title, rect.width > 6 {
            text(" \(title) ", x: rect.x + 2, y: rect.y, width: rect.width - 4, style: Theme.title)
        }
    }

    /// A rect of `width`×`height` centred in `area`, clipped to it.
    static func centered(width: Int, height: Int, in area: Rect) -> Rect {
        let w = min(width, area.width)
        let h = min(height, area.height)
        return Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
    }
}
