import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Every field of the selected allocation, its VN history and its audit trail.
enum DetailPane {
    struct Line {
        var label: String
        var value: String
        var style: Style = Theme.plain
    }

    static let labelWidth = 14

    static func draw(_ s: AppState, in r: Rect, _ c: inout Canvas) {
        guard r.width > 10, r.height > 2 else { return }
        c.box(r, title: nil, style: Theme.border)
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2)
        guard let a = s.selected else {
            c.text(" Details ", x: r.x + 2, y: r.y, width: r.width - 4, style: Theme.title)
            let hint = s.list.count == 0 ? "Nothing selected." : "Loading…"
            c.text(hint, x: inner.x, y: inner.y, width: inner.width, style: Theme.dim)
            return
        }
        let title = a.status == .known ? Format.vn(a) : a.allocation.connectionId
        c.text(" \(title) ", x: r.x + 2, y: r.y, width: r.width - 4, style: Theme.title)
        let fieldLines = fields(a, s)
        let trail = history(a, s) + [Line(label: "", value: "")] + audit(a, s)
        // Wide and short (below the list): fields on the left, history and audit on the right.
        if inner.width >= 76 {
            let half = (inner.width - 2) / 2
            drawLines(fieldLines, in: Rect(x: inner.x, y: inner.y, width: half, height: inner.height), &c)
            c.vline(x: inner.x + half + 1, y: inner.y, height: inner.height, style: Theme.border)
            drawLines(trail, in: Rect(x: inner.x + half + 3, y: inner.y, width: inner.width - half - 3, height: inner.height), &c)
        } else {
            drawLines(fieldLines + [Line(label: "", value: "")] + trail, in: inner, &c)
        }
    }

    /// Label/value lines; a long value wraps under itself. A line without a value is a
    /// header or history entry; one without a label is a note across the pane.
    static func drawLines(_ lines: [Line], in r: Rect, _ c: inout Canvas) {
        var y = r.y
        let bottom = r.y + r.height
        for line in lines {
            guard y < bottom else { return }
            if line.value.isEmpty {
                c.text(line.label, x: r.x, y: y, width: r.width, style: line.style)
                y += 1
                continue
            }
            let labelled = !line.label.isEmpty && r.width - labelWidth >= 12
            let x = labelled ? r.x + labelWidth : r.x
            let width = r.x + r.width - x
            if labelled { c.text(line.label, x: r.x, y: y, width: labelWidth - 1, style: Theme.label) }
            for part in Format.wrap(line.value, width: width, maxLines: 3) {
                guard y < bottom else { return }
                c.text(part, x: x, y: y, width: width, style: line.style)
                y += 1
            }
        }
    }

    static func fields(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        let x = a.allocation
        let state = a.effectiveState(now: s.now)
        var lines: [Line] = []
        switch a.status {
        case .pending:
            lines.append(Line(label: "", value: "sending… the outbox re-sends it (same connection_id)", style: Theme.pending))
        case .idUnknown:
            lines.append(Line(label: "", value: "allocated, id unknown — greenvn import ID", style: Theme.idUnknown))
        case .known: break
        }
        lines += [
            Line(label: "VN", value: Format.vn(a), style: Theme.header),
            Line(label: "state", value: state.rawValue, style: state == .active ? Theme.ok : Theme.vault),
            Line(label: "greenvn_id", value: a.status == .known ? a.id : "—"),
            Line(label: "connection_id", value: x.connectionId),
            Line(label: "usage", value: x.usage.rawValue),
            Line(label: "A-party", value: x.aparty.numbers.isEmpty ? "—" : x.aparty.numbers.joined(separator: " ")),
            Line(label: "A pins", value: Format.pins(x.aparty.pins)),
            Line(label: "B-party", value: x.bparty.numbers.isEmpty ? "—" : x.bparty.numbers.joined(separator: " ")),
            Line(label: "B pins", value: Format.pins(x.bparty.pins)),
            Line(label: "flow_id", value: x.flowId ?? "—"),
            Line(label: "preferences", value: Format.preferences(a)),
            Line(label: "duration", value: a.durationText ?? "account default"),
        ]
        if let e = a.expiresAt {
            let left = state == .active ? "in " + Format.countdown(to: e, now: s.now) : (state == .expired ? "expired" : "in the vault")
            lines.append(Line(label: "expires", value: "\(Format.timestamp(e, s.timeZone)) (\(left))"))
        } else {
            lines.append(Line(label: "expires", value: "unknown"))
        }
        lines.append(Line(label: "created", value: Format.timestamp(a.createdAt, s.timeZone)))
        lines.append(Line(label: "last synced", value: a.lastSyncedAt.map { Format.timestamp($0, s.timeZone) } ?? "never"))
        return lines
    }

    static func history(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        var lines = [Line(label: "VN history", value: "", style: Theme.header)]
        guard let d = s.detail, d.id == a.id else { return lines + [Line(label: "  loading…", value: "", style: Theme.dim)] }
        if d.history.isEmpty { lines.append(Line(label: "  none recorded", value: "", style: Theme.dim)) }
        for h in d.history.sorted(by: { $0.at > $1.at }) {
            let change = h.oldVN.map { "\($0) → \(h.newVN)" } ?? h.newVN
            lines.append(Line(label: "", value: "\(Format.short(h.at, s.timeZone)) \(h.how): \(change)"))
        }
        return lines
    }

    static func audit(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        var lines = [Line(label: "Audit", value: "", style: Theme.header)]
        guard let d = s.detail, d.id == a.id else { return lines + [Line(label: "  loading…", value: "", style: Theme.dim)] }
        if d.audit.isEmpty { lines.append(Line(label: "  none recorded", value: "", style: Theme.dim)) }
        for e in d.audit.sorted(by: { $0.at > $1.at }) {
            let style = e.outcome.lowercased().hasPrefix("ok") ? Theme.plain : Theme.warn
            lines.append(Line(label: "", value: "\(Format.short(e.at, s.timeZone)) \(e.action) \(e.outcome) (\(e.who))", style: style))
        }
        return lines
    }
}
