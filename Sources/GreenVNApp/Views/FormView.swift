import Foundation
import GreenVNKit
import TerminalKit

/// The new-allocation form (fills the body) and the fields of the dialogs: a label, the
/// input, and Kit's verdict beside it; below, everything about the focused field.
enum FormView {
    static let labelWidth = 19

    static func draw(_ f: FormState, _ s: AppState, in r: Rect, _ c: inout Canvas) {
        guard r.width > 20, r.height > 4 else { return }
        c.panel(r, title: f.title, style: Theme.focusBorder)
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2)
        let rows = min(f.fields.count, max(1, inner.height - 4))
        drawFields(f, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: rows), &c)
        drawMessages(f, s, in: Rect(x: inner.x, y: inner.y + rows + 1, width: inner.width, height: inner.height - rows - 1), &c)
    }

    static func drawFields(_ f: FormState, in r: Rect, _ c: inout Canvas) {
        let inputWidth = min(40, max(12, (r.width - labelWidth) / 2))
        let besideX = r.x + labelWidth + inputWidth + 2
        let besideWidth = r.x + r.width - besideX
        // Scroll so the focused field is on screen when the form is taller than the room.
        let first = max(0, min(f.focus - r.height + 1, f.fields.count - r.height))
        for row in 0..<min(r.height, f.fields.count) {
            let i = first + row
            let field = f.fields[i]
            let focused = i == f.focus
            let y = r.y + row
            if focused { c.put("›", x: r.x, y: y, style: Theme.key) }
            c.text(field.label, x: r.x + 2, y: y, width: labelWidth - 3, style: focused ? Theme.header : Theme.plain)
            let x = r.x + labelWidth
            if field.isChoice {
                let v = Choice.label(field.field, field.options[min(field.choice, field.options.count - 1)])
                // The value keeps its column; focus reverses it and says how to change it.
                let w = c.text(v, x: x, y: y, width: inputWidth, style: focused ? Theme.cursor : Theme.plain)
                if focused { c.text(" ←/→", x: x + w, y: y, width: inputWidth - w, style: Theme.dim) }
            } else {
                StatusBar.drawInput(field.input, x: x, y: y, width: inputWidth, focused: focused,
                                    placeholder: field.placeholder, &c)
            }
            if besideWidth > 4, let (text, style) = verdict(field, f) {
                c.text(text, x: besideX, y: y, width: besideWidth, style: style)
            }
        }
    }

    /// What Kit says about one field: its first error, else a warning, else the normalised
    /// values ("✓ +919876543210, +919876543211").
    static func verdict(_ field: FormField, _ f: FormState) -> (String, Style)? {
        let shown = f.visibleErrors.on(field.field)
        if let e = shown.blocking.first {
            let more = shown.blocking.count > 1 ? " (+\(shown.blocking.count - 1) more)" : ""
            return ("✗ " + e.message + more, Theme.error)
        }
        if let w = shown.warnings.first { return ("! " + w.message, Theme.warn) }
        if f.allErrors.on(field.field).contains(where: { $0.severity == .error }) { return nil }
        switch field.kind {
        case .numbers, .pins, .number:
            let items = field.items
            guard !items.isEmpty else { return nil }
            let values = items.compactMap { try? $0.verdict.get() }
            guard values.count == items.count else { return nil }
            return ("✓ " + values.joined(separator: ", "), Theme.ok)
        case .text:
            return field.input.isEmpty ? nil : ("✓", Theme.ok)
        case .choice:
            return nil
        }
    }

    /// Help for the focused field, each of its values with Kit's verdict, its errors in
    /// full, then the API's refusal or the spinner of a request in flight.
    static func drawMessages(_ f: FormState, _ s: AppState, in r: Rect, _ c: inout Canvas) {
        guard r.height > 0, r.width > 10 else { return }
        var lines: [(String, Style)] = []
        let field = f.focused
        lines.append((help(field), Theme.dim))
        var said = Set<String>()
        for item in field.items where field.kind != .number || !item.raw.isEmpty {
            switch item.verdict {
            case .success(let v):
                lines.append((v == item.raw ? "✓ \(v)" : "✓ \(item.raw) → \(v)", Theme.ok))
            case .failure(let why):
                said.insert(why.message)
                lines.append(("✗ \(why.message)", Theme.error))
            }
        }
        for e in f.visibleErrors.on(field.field) where !said.contains(e.message) {
            lines.append(((e.severity == .error ? "✗ " : "! ") + e.message, e.severity == .error ? Theme.error : Theme.warn))
        }
        var summary: (index: Int, rows: Int)?
        if f.submitAttempted {
            let bad = Set(f.allErrors.blocking.map(\.field)).count
            if bad > 0 && f.ticket == nil {
                let text = "\(bad) field(s) need attention: nothing was sent. Fix them, then Ctrl-S."
                summary = (lines.count, Format.wrap(text, width: r.width, maxLines: 4).count)
                lines.append((text, Theme.warn))
            }
        }
        if let refusal = f.serverError {
            lines.append(("", Theme.plain))
            lines.append((refusal, Theme.error))
        }
        if f.ticket != nil {
            lines.append(("\(StatusBar.spinner(s.now)) Sending… Esc closes this; the answer then shows as a notification.", Theme.spinner))
        }
        // Short of room, the help (line 0) gets one line; and however many errors there are,
        // "nothing was sent" stays in the box: its rows are kept free.
        let needed = lines.reduce(0) { $0 + Format.wrap($1.0, width: r.width, maxLines: 4).count + ($1.0.isEmpty ? 1 : 0) }
        var y = r.y
        for (i, (text, style)) in lines.enumerated() {
            let reserved = summary.map { i < $0.index ? $0.rows : 0 } ?? 0
            let maxLines = i == 0 && summary != nil && needed > r.height ? 1 : 4
            for part in Format.wrap(text, width: r.width, maxLines: maxLines) where y < r.y + r.height - reserved {
                c.text(part, x: r.x, y: y, width: r.width, style: style)
                y += 1
            }
            if text.isEmpty { y += 1 }
        }
    }

    static func help(_ field: FormField) -> String {
        switch field.kind {
        case .numbers: return "\(field.label): several numbers, separated by commas or spaces; a bare 10-digit mobile gets +91."
        case .pins: return "\(field.label): digits, separated by commas or spaces; 6 digits or fewer is easiest for callers."
        case .number: return "\(field.label): one number in E.164 (+ and 8–15 digits); leave it empty for any."
        case .choice(let options):
            if field.field == .region || field.field == .defaultRegion {
                return "region: the VN's circle; ←/→, Space or a letter of its code or name choose (any, " +
                    options.dropFirst().map { Choice.label(.region, $0) }.joined(separator: ", ") + ")."
            }
            return "\(field.label): ←/→ or Space choose among \(options.joined(separator: " "))."
        case .text:
            switch field.field {
            case .connectionId: return "connection_id: your id for this connection (1–64 visible characters); it makes a retried create safe."
            case .duration: return "duration: how long until the VN returns to the pool, 5 minutes to 170 days (600s, 30m, 2h, 3d); empty: the account's default, \(Format.defaultLifetime)."
            case .pinCode: return "pin code: a 6-digit Indian postal code the VN should be local to."
            case .flowId: return "flow_id: the call flow to run on calls through the VN (optional)."
            case .callCompleteWebhook: return "call complete: where Lead Assist posts each call through a VN (http(s) URL; `greenvn webhooks` receives it); empty: none."
            case .callerVerifiedWebhook: return "caller verified: where Lead Assist posts a caller who typed the right pin; empty: none."
            case .verificationFailedWebhook: return "verification failed: where Lead Assist posts a caller who typed a wrong pin; empty: none."
            case .deallocatedWebhook: return "deallocated: where Lead Assist posts an allocation its policy expired (not after a deallocation); empty: none."
            case .defaultFlowId: return "default flow_id: the call flow of allocations created without one; empty: none."
            case .maxDeallocationTime: return "max lifetime: the longest an allocation may live (5m to 170d, e.g. 30d); also the lifetime of one created without a duration; empty: no limit."
            default: return field.label
            }
        }
    }
}
