import Foundation
import GreenVNStore
import TerminalKit

/// Floating dialogs: swap with preferences and call parties (forms), and y/n questions.
enum Dialogs {
    static func drawForm(_ f: FormState, _ s: AppState, in body: Rect, _ c: inout Canvas) {
        // Room for the field's help and every verdict on it, as far as the body allows.
        let height = min(f.fields.count + 13, body.height - 2)
        let r = Canvas.centered(width: min(84, body.width - 2), height: height, in: body)
        guard r.width > 20, r.height > 4 else { return }
        c.panel(r, title: f.title, style: Theme.focusBorder)
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2)
        c.text(subtitle(f), x: inner.x, y: inner.y, width: inner.width, style: Theme.dim)
        let rows = min(f.fields.count, max(1, inner.height - 4))
        FormView.drawFields(f, in: Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: rows), &c)
        let top = inner.y + 2 + rows + 1
        FormView.drawMessages(f, s, in: Rect(x: inner.x, y: top, width: inner.width, height: inner.y + inner.height - top), &c)
    }

    static func subtitle(_ f: FormState) -> String {
        switch f.purpose {
        case .allocate: return ""
        case .swap(let a):
            return "\(a.allocation.connectionId) · leave a preference empty (any) to let Lead Assist choose"
        case .parties(let a):
            return "\(a.allocation.connectionId) · only the sides you change are sent"
        case .accountSettings:
            return "webhook URLs and defaults of the account · an empty field clears it"
        }
    }

    static func drawConfirm(_ q: Confirm, in body: Rect, _ c: inout Canvas) {
        let width = min(68, body.width - 2)
        let wrapped = q.lines.flatMap { Format.wrap($0, width: width - 4) }
        let r = Canvas.centered(width: width, height: wrapped.count + 4, in: body)
        guard r.width > 10, r.height > 3 else { return }
        let danger: Bool
        if case .deallocate = q.purpose { danger = true } else { danger = false }
        c.panel(r, title: q.title, style: danger ? Theme.dangerBorder : Theme.focusBorder)
        for (i, line) in wrapped.enumerated() where i < r.height - 3 {
            c.text(line, x: r.x + 2, y: r.y + 1 + i, width: r.width - 4)
        }
        var x = r.x + 2
        let y = r.y + r.height - 2
        x += c.put("y", x: x, y: y, style: Theme.key)
        x += c.put(" yes   ", x: x, y: y)
        x += c.put("n", x: x, y: y, style: Theme.key)
        c.put(" no (Esc)", x: x, y: y)
    }

    /// `Y`: the ids of the selected allocation, each with its key.
    static func drawCopyMenu(_ s: AppState, in body: Rect, _ c: inout Canvas) {
        guard let a = s.selected else { return }
        let entries: [(key: String, what: CopyField, value: String)] = [
            ("y", .vn, a.status == .known ? a.allocation.greenVN : "— not known"),
            ("i", .greenvnId, a.status == .known ? a.id : "— not known yet"),
            ("c", .connectionId, a.allocation.connectionId),
        ]
        let width = min(body.width - 2, max(40, 20 + (entries.map { DisplayWidth.of($0.value) }.max() ?? 0)))
        let r = Canvas.centered(width: width, height: entries.count + 4, in: body)
        guard r.width > 20, r.height > 4 else { return }
        c.panel(r, title: "Copy", style: Theme.focusBorder)
        for (i, e) in entries.enumerated() {
            let y = r.y + 1 + i
            c.put(e.key, x: r.x + 2, y: y, style: Theme.key)
            c.text(e.what.rawValue, x: r.x + 4, y: y, width: 14, style: Theme.label)
            c.text(e.value, x: r.x + 18, y: y, width: r.width - 20)
        }
        c.text("Esc copies nothing", x: r.x + 2, y: r.y + r.height - 2, width: r.width - 4, style: Theme.dim)
    }

    static func drawTooSmall(_ c: inout Canvas) {
        let need = "\(Layout.minWidth)×\(Layout.minHeight)"
        let lines = ["terminal too small: \(need) needed", "(now \(c.width)×\(c.height))"]
            .flatMap { Format.wrap($0, width: c.width) }.prefix(max(0, c.height))
        let top = max(0, (c.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let x = max(0, (c.width - DisplayWidth.of(line)) / 2)
            c.text(line, x: x, y: top + i, width: c.width - x, style: Theme.warn)
        }
    }
}
