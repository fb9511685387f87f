import Foundation
import TerminalKit

/// The top line (target, badges, counts, spinner) and the bottom line (hints or a prompt).
enum StatusBar {
    static func draw(_ s: AppState, in r: Rect, _ c: inout Canvas) {
        var x = r.x
        x += c.put(" greenvn ", x: x, y: r.y, style: Theme.appBadge)
        x += 1
        if s.target.isSimulator {
            x += c.put(" SIMULATOR ", x: x, y: r.y, style: Theme.simulatorBadge)
        } else {
            let target = DisplayWidth.truncate(" \(s.target.accountSID) @ \(s.target.host) ", to: max(10, r.width / 2))
            x += c.put(target, x: x, y: r.y, style: Theme.targetBadge)
        }
        if s.readOnly {
            x += 1
            x += c.put(" READ-ONLY ", x: x, y: r.y, style: Theme.readOnlyBadge)
        }
        var counts = "active \(s.counts.active) · vault \(s.counts.vault)"
        if s.counts.pending > 0 { counts += " · pending \(s.counts.pending)" }
        counts += " "
        let countsX = r.x + r.width - DisplayWidth.of(counts)
        if countsX > x + 1 { c.put(counts, x: countsX, y: r.y, style: Theme.header) }
        if let busy = inFlightText(s) {
            let room = (countsX > x + 1 ? countsX : r.x + r.width) - x - 3
            c.text(busy, x: x + 2, y: r.y, width: room, style: Theme.spinner)
        }
    }

    static func spinner(_ now: Date) -> String {
        let frames = Theme.spinnerFrames
        let i = Int((now.timeIntervalSinceReferenceDate * 4).rounded(.down)) % frames.count
        return frames[(i + frames.count) % frames.count]
    }

    static func inFlightText(_ s: AppState) -> String? {
        guard let first = s.inFlight.first else { return nil }
        if s.inFlight.count > 1 { return "\(spinner(s.now)) \(s.inFlight.count) requests in flight" }
        let what: String
        switch first.operation {
        case .allocate(let r): what = r.connectionId
        default: what = first.vnBefore ?? first.operation.targetId ?? ""
        }
        return "\(spinner(s.now)) \(first.operation.progressVerb) \(what)…"
    }

    /// The bottom line: the filter or command prompt (with its cursor), then the hints
    /// of the keymap entries that apply now.
    static func drawBottom(_ s: AppState, in r: Rect, _ c: inout Canvas) {
        var x = r.x
        switch s.mode {
        case .filter(let t), .command(let t):
            let sigil: String
            if case .filter = s.mode { sigil = "/" } else { sigil = ":" }
            x += c.put(sigil, x: x, y: r.y, style: Theme.key)
            let width = max(10, min(r.width / 2, r.width - 2))
            x += drawInput(t, x: x, y: r.y, width: width, focused: true, &c)
            x += 2
        default:
            break
        }
        var items: [(String, String)] = []
        for context in s.contexts {
            for b in Keymap.bindings(in: context, readOnly: s.readOnly) where b.inHintBar {
                items.append((Keymap.label(b.keys[0]), b.label))
            }
        }
        for (key, label) in items {
            let w = DisplayWidth.of(key) + 1 + DisplayWidth.of(label)
            if x + w > r.x + r.width { break }
            x += c.put(key, x: x, y: r.y, style: Theme.key)
            x += c.put(" " + label, x: x, y: r.y, style: Theme.plain)
            x += 2
        }
    }

    /// A text input with a reverse-video cursor; returns the columns used (`width`).
    @discardableResult
    static func drawInput(_ t: TextField, x: Int, y: Int, width: Int, focused: Bool, placeholder: String = "", _ c: inout Canvas) -> Int {
        guard width > 0 else { return 0 }
        c.put(String(repeating: " ", count: width), x: x, y: y, style: Theme.input)
        if t.isEmpty && !placeholder.isEmpty && !focused {
            c.text(placeholder, x: x, y: y, width: width, style: Style(dim: true, underline: true))
            return width
        }
        let (shown, col) = t.window(width: width)
        c.put(shown, x: x, y: y, style: Theme.input, maxWidth: width)
        if focused {
            if t.isEmpty && !placeholder.isEmpty {
                c.text(placeholder, x: x + 1, y: y, width: width - 1, style: Style(dim: true, underline: true))
            }
            if col < width {
                c.put(t.atCursor.map(String.init) ?? " ", x: x + col, y: y, style: Theme.cursor)
            }
        }
        return width
    }

    /// Notifications stack up from the bottom right of the body, newest lowest.
    static func drawToasts(_ s: AppState, in body: Rect, _ c: inout Canvas) {
        let width = min(64, body.width - 2)
        guard width > 10 else { return }
        var bottom = body.y + body.height
        for t in s.toasts.reversed() {
            let icon: String, style: Style
            switch t.level {
            case .info: icon = "✓"; style = Theme.ok
            case .warn: icon = "!"; style = Theme.warn
            case .error: icon = "✗"; style = Theme.error
            }
            let lines = Format.wrap(t.text, width: width - 6, maxLines: 4)
            let h = lines.count + 2
            guard bottom - h >= body.y else { break }
            let w = min(width, (lines.map(DisplayWidth.of).max() ?? 0) + 6)
            let rect = Rect(x: body.x + body.width - w - 1, y: bottom - h, width: w, height: h)
            c.panel(rect, style: style)
            c.put(icon, x: rect.x + 2, y: rect.y + 1, style: style)
            for (i, line) in lines.enumerated() {
                c.text(line, x: rect.x + 4, y: rect.y + 1 + i, width: w - 5)
            }
            bottom -= h
        }
    }
}
