import Foundation
import TerminalKit

/// The top line (target, badges, counts, spinner) and the bottom line (hints or a prompt).
enum StatusBar {
    static func draw(_ s: AppState, in r: Rect, _ c: inout Canvas) {
        // The counts are reserved on the right first; the target gives way (truncated).
        var counts = "active \(s.counts.active) · vault \(s.counts.vault)"
        if s.counts.pending > 0 { counts += " · pending \(s.counts.pending)" }
        counts += " "
        let badges = 9 + 1 + (s.readOnly ? 12 : 0)
        if r.width - DisplayWidth.of(counts) < badges + 14 { counts = "" }
        let right = r.x + r.width - DisplayWidth.of(counts)
        c.put(counts, x: right, y: r.y, style: Theme.header)

        var x = r.x
        x += c.put(" greenvn ", x: x, y: r.y, style: Theme.appBadge)
        x += 1
        let target = s.target.isSimulator ? " SIMULATOR " : " \(s.target.accountSID) @ \(s.target.host) "
        let room = right - x - 1 - (s.readOnly ? 12 : 0)
        x += c.put(DisplayWidth.truncate(target, to: max(0, room)), x: x, y: r.y,
                   style: s.target.isSimulator ? Theme.simulatorBadge : Theme.targetBadge)
        if s.readOnly {
            x += 1
            x += c.put(" READ-ONLY ", x: x, y: r.y, style: Theme.readOnlyBadge)
        }
        if let busy = inFlightText(s) {
            c.text(busy, x: x + 2, y: r.y, width: right - x - 3, style: Theme.spinner)
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
        return "\(spinner(s.now)) \(first.operation.progressVerb)\(what.isEmpty ? "" : " " + what)…"
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
        // On the command line: what Tab can complete the word being typed with.
        if case .command(let t) = s.mode {
            let (word, options) = ColonCommands.candidates(for: t.text)
            if !options.isEmpty && options != [word] {
                let shown = options.joined(separator: " ")
                x += c.text(shown, x: x, y: r.y, width: max(0, r.x + r.width - x - 2), style: Theme.dim) + 2
            }
        }
        // Help and quit are pinned to the right so they never fall off a narrow line.
        var items: [(String, String)] = []
        var pinned: [(String, String)] = []
        for context in s.contexts {
            for b in Keymap.bindings(in: context, readOnly: s.readOnly) where b.inHintBar {
                let item = (Keymap.label(b.keys[0]), b.label)
                if b.action == .help || b.action == .quit { pinned.append(item) } else { items.append(item) }
            }
        }
        func width(_ list: [(String, String)]) -> Int {
            list.reduce(0) { $0 + DisplayWidth.of($1.0) + 1 + DisplayWidth.of($1.1) + 2 }
        }
        var end = r.x + r.width - width(pinned) + 2
        if end < x { pinned = []; end = r.x + r.width }
        for (key, label) in items {
            if x + DisplayWidth.of(key) + 1 + DisplayWidth.of(label) > end - 2 { break }
            x += c.put(key, x: x, y: r.y, style: Theme.key)
            x += c.put(" " + label, x: x, y: r.y, style: Theme.plain) + 2
        }
        x = end
        for (key, label) in pinned {
            x += c.put(key, x: x, y: r.y, style: Theme.key)
            x += c.put(" " + label, x: x, y: r.y, style: Theme.plain) + 2
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
        guard focused else {
            // Unfocused, a field reads from its start.
            c.text(t.text, x: x, y: y, width: width, style: Theme.input)
            return width
        }
        let (shown, col) = t.window(width: width)
        c.put(shown, x: x, y: y, style: Theme.input, maxWidth: width)
        if t.isEmpty && !placeholder.isEmpty {
            c.text(placeholder, x: x + 1, y: y, width: width - 1, style: Style(dim: true, underline: true))
        }
        if col < width {
            c.put(t.atCursor.map(String.init) ?? " ", x: x + col, y: y, style: Theme.cursor)
        }
        return width
    }

    /// Notifications stack up from the bottom right of the body, newest lowest.
    static func drawToasts(_ s: AppState, in body: Rect, _ c: inout Canvas) {
        let width = min(64, body.width - 4)
        guard width > 10 else { return }
        // Inside the body's frames: above their bottom border, left of their right one.
        var bottom = body.y + body.height - 1
        for t in s.toasts.reversed() {
            let icon: String, style: Style
            switch t.level {
            case .info: icon = "✓"; style = Theme.ok
            case .warn: icon = "!"; style = Theme.warn
            case .error: icon = "✗"; style = Theme.error
            }
            // A notice that stays says on its border how to make it go, and may take more room.
            let sticky = t.until == nil && s.mode == .browse
            let lines = Format.wrap(t.text, width: width - 6, maxLines: t.until == nil ? 6 : 4)
            let h = lines.count + 2
            guard bottom - h >= body.y else { break }
            let w = min(width, max(sticky ? 19 : 0, (lines.map(DisplayWidth.of).max() ?? 0) + 6))
            let rect = Rect(x: body.x + body.width - w - 2, y: bottom - h, width: w, height: h)
            c.panel(rect, style: style)
            c.put(icon, x: rect.x + 2, y: rect.y + 1, style: style)
            for (i, line) in lines.enumerated() {
                c.text(line, x: rect.x + 4, y: rect.y + 1 + i, width: w - 5)
            }
            if sticky {
                let dismiss = " Esc dismisses "
                c.put(dismiss, x: rect.x + w - 2 - DisplayWidth.of(dismiss), y: rect.y + h - 1, style: Theme.dim)
            }
            bottom -= h
        }
    }
}
