import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Every field of the selected allocation, its VN history and its audit trail. Taller than
/// its box, it scrolls (Tab or Enter focuses it); the most asked-for fields come first.
enum DetailPane {
    struct Line {
        enum Kind { case field, ownLine, header, entry, note }
        var kind: Kind
        var label: String
        var value: String
        var style: Style = Theme.plain

        static func field(_ label: String, _ value: String, _ style: Style = Theme.plain) -> Line { Line(kind: .field, label: label, value: value, style: style) }
        /// The label, then the value on a line of its own (an id is never broken).
        static func ownLine(_ label: String, _ value: String) -> Line { Line(kind: .ownLine, label: label, value: value) }
        static func header(_ text: String) -> Line { Line(kind: .header, label: text, value: "", style: Theme.header) }
        /// One line, cut with … when too long.
        static func entry(_ text: String, _ style: Style = Theme.plain) -> Line { Line(kind: .entry, label: "", value: text, style: style) }
        /// Wrapped across the pane.
        static func note(_ text: String, _ style: Style) -> Line { Line(kind: .note, label: "", value: text, style: style) }
        static let blank = Line(kind: .entry, label: "", value: "")
    }

    /// One screen row of the pane: text at a column offset within it.
    struct Row {
        var cells: [(x: Int, text: String, style: Style)]
    }

    static let labelWidth = 14
    /// Inner width from which fields and the trail sit side by side.
    static let twoColumnWidth = 76

    /// The pane's rows for the state: one column, or fields and trail side by side.
    static func content(_ s: AppState, inner: Rect) -> (left: [Row], right: [Row]?, split: Int) {
        guard let a = s.selected else { return ([], nil, 0) }
        let trail = history(a, s) + [Line.blank] + calls(a, s) + [Line.blank] + audit(a, s)
        if inner.width >= twoColumnWidth {
            let half = (inner.width - 2) / 2
            return (rows(fields(a, s), width: half), rows(trail, width: inner.width - half - 3), half)
        }
        return (rows(fields(a, s) + [Line.blank] + trail, width: inner.width), nil, 0)
    }

    static func inner(_ r: Rect) -> Rect { Rect(x: r.x + 2, y: r.y + 1, width: max(0, r.width - 4), height: max(0, r.height - 2)) }

    /// How far the pane can scroll at this size.
    static func maxScroll(_ s: AppState) -> Int {
        let box = inner(s.layout.detail)
        let c = content(s, inner: box)
        return max(0, max(c.left.count, c.right?.count ?? 0) - box.height)
    }

    static func draw(_ s: AppState, in r: Rect, _ c: inout Canvas) {
        guard r.width > 10, r.height > 2 else { return }
        let focused = s.focus == .detail && s.mode == .browse
        c.box(r, title: nil, style: focused ? Theme.focusBorder : Theme.border)
        let box = inner(r)
        guard let a = s.selected else {
            c.text(" Details ", x: r.x + 2, y: r.y, width: r.width - 4, style: Theme.title)
            let hint = s.list.count == 0 ? "Nothing selected." : "Loading…"
            c.text(hint, x: box.x, y: box.y, width: box.width, style: Theme.dim)
            return
        }
        let title = a.status == .known ? Format.vn(a) : a.allocation.connectionId
        c.text(" \(title) ", x: r.x + 2, y: r.y, width: r.width - 4, style: focused ? Theme.tabCurrent : Theme.title)
        let (left, right, split) = content(s, inner: box)
        let total = max(left.count, right?.count ?? 0)
        let top = min(max(0, s.detailScroll), max(0, total - box.height))
        // Side by side, each column stops at its own end: the shorter stays in view.
        func paint(_ rows: [Row], x: Int, width: Int) {
            let first = min(top, max(0, rows.count - box.height))
            for (i, row) in rows.dropFirst(first).prefix(box.height).enumerated() {
                for cell in row.cells {
                    c.text(cell.text, x: x + cell.x, y: box.y + i, width: width - cell.x, style: cell.style)
                }
            }
        }
        if let right {
            paint(left, x: box.x, width: split)
            c.vline(x: box.x + split + 1, y: box.y, height: box.height, style: Theme.border)
            paint(right, x: box.x + split + 3, width: box.width - split - 3)
        } else {
            paint(left, x: box.x, width: box.width)
        }
        if total > box.height {
            let more = top + box.height < total ? (top > 0 ? "↑↓" : "↓") : "↑"
            let where_ = focused ? " \(top + 1)–\(min(total, top + box.height)) of \(total) \(more) "
                                 : " \(more) more: Tab "
            let x = r.x + r.width - 2 - DisplayWidth.of(where_)
            if x > r.x + 2 { c.put(where_, x: x, y: r.y + r.height - 1, style: focused ? Theme.key : Theme.header) }
        }
    }

    /// Lines laid out at a width: a field's value wraps under itself; an id keeps a line of
    /// its own; history and audit entries are one line each.
    static func rows(_ lines: [Line], width: Int) -> [Row] {
        guard width > 0 else { return [] }
        var out: [Row] = []
        let labelled = width - labelWidth >= 12
        for line in lines {
            switch line.kind {
            case .header:
                out.append(Row(cells: [(0, line.label, line.style)]))
            case .entry:
                out.append(Row(cells: [(0, DisplayWidth.truncate(line.value, to: width), line.style)]))
            case .note:
                for part in Format.wrap(line.value, width: width) { out.append(Row(cells: [(0, part, line.style)])) }
            case .ownLine:
                out.append(Row(cells: [(0, line.label, Theme.label)]))
                out.append(Row(cells: [(0, DisplayWidth.truncate(line.value, to: width), line.style)]))
            case .field:
                let x = labelled ? labelWidth : 0
                let parts = Format.wrap(line.value, width: width - x)
                if !labelled { out.append(Row(cells: [(0, line.label, Theme.label)])) }
                for (i, part) in parts.enumerated() {
                    var cells: [(x: Int, text: String, style: Style)] = [(x, part, line.style)]
                    if labelled && i == 0 { cells.insert((0, line.label, Theme.label), at: 0) }
                    out.append(Row(cells: cells))
                }
            }
        }
        return out
    }

    static func fields(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        let x = a.allocation
        let state = a.effectiveState(now: s.now)
        var lines: [Line] = []
        switch a.status {
        case .pending:
            lines.append(.note("sending… no answer yet; r re-sends it (same connection_id, never allocated twice)", Theme.pending))
        case .idUnknown:
            lines.append(.note("allocated, greenvn_id lost: find it in Exotel's dashboard or a webhook, then press i and enter it", Theme.idUnknown))
        case .known: break
        }
        lines.append(.field("VN", Format.vn(a), Theme.header))
        lines.append(.field("state", state.rawValue, state == .active ? Theme.ok : Theme.vault))
        lines += lifetime(a, state, s)
        lines += [
            .field("A-party", x.aparty.numbers.isEmpty ? "—" : x.aparty.numbers.joined(separator: " ")),
            .field("A pins", Format.pins(x.aparty.pins)),
            .field("B-party", x.bparty.numbers.isEmpty ? "—" : x.bparty.numbers.joined(separator: " ")),
            .field("B pins", Format.pins(x.bparty.pins)),
            .field("usage", x.usage.rawValue),
            .field("preferences", Format.preferences(a)),
            .field("duration", a.durationText ?? "account default (\(Format.defaultLifetime))"),
            .field("connection_id", x.connectionId),
            .ownLine("greenvn_id", a.status == .known ? a.id : "— (not known yet)"),
            .field("flow_id", x.flowId ?? "—"),
            .field("created", Format.timestamp(a.createdAt, s.timeZone)),
            .field("last synced", a.lastSyncedAt.map { Format.timestamp($0, s.timeZone) } ?? "never"),
        ]
        return lines
    }

    /// When it stops connecting: a countdown while live; once in the vault, no countdown.
    static func lifetime(_ a: StoredAllocation, _ state: EffectiveState, _ s: AppState) -> [Line] {
        guard let e = a.expiresAt else { return [.field("expires", "unknown (imported without its duration)")] }
        let when = Format.timestamp(e, s.timeZone)
        switch state {
        case .active:
            let soon = Format.expiresSoon(a, now: s.now)
            return [.field("expires", "in \(Format.countdown(to: e, now: s.now))", soon ? Theme.warn : Theme.plain),
                    .field("", when)]
        case .expired:
            return [.field("expired", when, Theme.warn), .field("", "r confirms the release")]
        case .vault:
            // When and by whom, from the registry; no countdown: it no longer applies.
            guard let at = a.releasedAt else { return [.field("released", "when not recorded (r refreshes it)", Theme.vault)] }
            return [.field("released", Format.timestamp(at, s.timeZone), Theme.vault),
                    .field("by", a.releasedBy ?? "not recorded", Theme.vault)]
        }
    }

    static func history(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        var lines = [Line.header("VN history")]
        guard let d = s.detail, d.id == a.id else { return lines + [.entry("  loading…", Theme.dim)] }
        if d.history.isEmpty { lines.append(.entry("  none recorded", Theme.dim)) }
        // Newest first; each entry's old VN is the next line's VN, so only the new one is shown.
        for h in d.history.sorted(by: { $0.at > $1.at }) {
            let when = Format.short(h.at, s.timeZone)
            // A release hands the VN (the line below's) back to the pool: no new VN.
            if h.newVN.isEmpty {
                lines.append(.entry("\(when) \(h.how)", Theme.vault))
            } else {
                lines.append(.entry("\(when) \(h.how) → \(h.newVN)"))
            }
        }
        return lines
    }

    /// Calls through it, as Lead Assist's webhooks reported them.
    static func calls(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        var lines = [Line.header("Calls")]
        guard let d = s.detail, d.id == a.id else { return lines + [.entry("  loading…", Theme.dim)] }
        if d.calls.isEmpty { lines.append(.entry("  none reported (webhooks)", Theme.dim)) }
        for c in d.calls {
            let when = c.startedAt.map { Format.short($0, s.timeZone) } ?? Format.short(c.receivedAt, s.timeZone)
            let talk = c.talkSeconds.map { " " + Format.duration($0) } ?? ""
            lines.append(.entry("\(when) \(c.status)\(talk) \(c.from) → \(c.to)", c.status == "completed" ? Theme.plain : Theme.warn))
        }
        return lines
    }

    static func audit(_ a: StoredAllocation, _ s: AppState) -> [Line] {
        var lines = [Line.header("Audit")]
        guard let d = s.detail, d.id == a.id else { return lines + [.entry("  loading…", Theme.dim)] }
        if d.audit.isEmpty { lines.append(.entry("  none recorded", Theme.dim)) }
        for e in d.audit.sorted(by: { $0.at > $1.at }) {
            let when = Format.short(e.at, s.timeZone)
            if e.outcome.lowercased().hasPrefix("ok") {
                lines.append(.entry("\(when) \(e.action) ok · \(e.who)"))
            } else {
                // What went wrong matters more than who: it comes first, the operator last.
                lines.append(.entry("\(when) \(e.action) ✗ \(e.outcome) · \(e.who)", Theme.warn))
            }
        }
        return lines
    }
}
