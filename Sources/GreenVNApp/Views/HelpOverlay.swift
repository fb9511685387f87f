import TerminalKit

/// `?`: the keymap entries of the contexts in force, generated from the one table.
enum HelpOverlay {
    struct Entry: Equatable {
        var keys: String
        var help: String
        var isHeader: Bool
    }

    /// Exactly the table's entries for `contexts` (mutating ones gone under --read-only).
    static func entries(for contexts: [KeyContext], readOnly: Bool) -> [Entry] {
        var out: [Entry] = []
        for context in contexts {
            let bindings = Keymap.bindings(in: context, readOnly: readOnly)
            guard !bindings.isEmpty else { continue }
            out.append(Entry(keys: context.title, help: "", isHeader: true))
            for b in bindings { out.append(Entry(keys: Keymap.labels(b.keys), help: b.help, isHeader: false)) }
        }
        return out
    }

    /// Where the entries go: as many columns as stay readable (a key and 24 columns of its
    /// help), each `height` rows tall; taller than the box, the columns scroll together.
    struct Flow {
        var inner: Rect
        var footer: [String]
        var columns: Int
        var height: Int
        var colWidth: Int
        var keyWidth: Int
        var maxScroll: Int { max(0, height - inner.height) }
    }

    static func flow(_ s: AppState, in r: Rect) -> Flow {
        let entries = entries(for: s.helpContexts, readOnly: s.readOnly)
        let footer = (s.contexts.contains(.list) ? Format.wrap(ColonCommands.summary, width: r.width - 4) : []) + [closeHelp]
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: max(0, r.width - 4), height: max(1, r.height - 3 - footer.count))
        let keyWidth = min(22, max(8, (entries.filter { !$0.isHeader }.map { DisplayWidth.of($0.keys) }.max() ?? 8) + 1))
        let readable = max(1, (inner.width + 2) / (keyWidth + 24 + 2))
        let columns = max(1, min(3, readable, (entries.count + inner.height - 1) / inner.height))
        let height = (entries.count + columns - 1) / columns
        return Flow(inner: inner, footer: footer, columns: columns, height: height,
                    colWidth: (inner.width - (columns - 1) * 2) / columns, keyWidth: keyWidth)
    }

    static func maxScroll(_ s: AppState) -> Int { flow(s, in: s.layout.body).maxScroll }

    static func draw(_ s: AppState, in body: Rect, _ c: inout Canvas) {
        let r = body
        guard r.width > 20, r.height > 6 else { return }
        c.panel(r, title: "Help" + (s.readOnly ? " (read-only: changes are hidden)" : ""), style: Theme.focusBorder)
        let f = flow(s, in: r)
        let top = min(max(0, s.helpScroll), f.maxScroll)
        for (i, e) in entries(for: s.helpContexts, readOnly: s.readOnly).enumerated() {
            let row = i % f.height - top
            guard row >= 0, row < f.inner.height else { continue }
            let x = f.inner.x + (i / f.height) * (f.colWidth + 2)
            let y = f.inner.y + row
            if e.isHeader {
                c.text(e.keys, x: x, y: y, width: f.colWidth, style: Theme.header)
            } else {
                c.text(e.keys, x: x, y: y, width: f.keyWidth - 1, style: Theme.key)
                c.text(e.help, x: x + f.keyWidth, y: y, width: f.colWidth - f.keyWidth)
            }
        }
        var footer = f.footer
        if f.maxScroll > 0 {
            footer[footer.count - 1] = "\(top < f.maxScroll ? "↓ more: " : "")j/k scroll; any other key closes this help."
        }
        for (i, line) in footer.enumerated() {
            c.text(line, x: f.inner.x, y: r.y + r.height - 1 - footer.count + i, width: f.inner.width, style: Theme.dim)
        }
    }

    static let closeHelp = "Any key closes this help."
}
