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

    static func draw(_ s: AppState, in body: Rect, _ c: inout Canvas) {
        let entries = entries(for: s.contexts, readOnly: s.readOnly)
        let r = body
        guard r.width > 20, r.height > 6 else { return }
        c.panel(r, title: "Help" + (s.readOnly ? " (read-only: changes are hidden)" : ""), style: Theme.focusBorder)
        let footer = (s.contexts.contains(.list) ? Format.wrap(commandsHelp, width: r.width - 4) : []) + [closeHelp]
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 3 - footer.count)
        // Flow into as many columns as the height needs and the width allows.
        let columns = max(1, min(3, (entries.count + inner.height - 1) / max(1, inner.height)))
        let colWidth = (inner.width - (columns - 1) * 2) / columns
        let keyWidth = min(22, max(8, (entries.filter { !$0.isHeader }.map { DisplayWidth.of($0.keys) }.max() ?? 8) + 1))
        for (i, e) in entries.enumerated() {
            let col = i / inner.height
            guard col < columns else {
                c.text("…", x: inner.x + inner.width - 1, y: inner.y + inner.height - 1, width: 1, style: Theme.dim)
                break
            }
            let x = inner.x + col * (colWidth + 2)
            let y = inner.y + i % inner.height
            if e.isHeader {
                c.text(e.keys, x: x, y: y, width: colWidth, style: Theme.header)
            } else {
                c.text(e.keys, x: x, y: y, width: keyWidth - 1, style: Theme.key)
                c.text(e.help, x: x + keyWidth, y: y, width: colWidth - keyWidth)
            }
        }
        for (i, line) in footer.enumerated() {
            c.text(line, x: inner.x, y: r.y + r.height - 1 - footer.count + i, width: inner.width, style: Theme.dim)
        }
    }

    static let commandsHelp = "Commands: :q  :filter TEXT  :state active|vault|all  :sort COLUMN [asc|desc]  :refresh  :new  :help"
    static let closeHelp = "Any key closes this help."
}
