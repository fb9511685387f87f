import TerminalKit

/// The whole frame, from the state alone. Layers: status line, body (list + detail, or
/// the form), dialogs, toasts, bottom line, help, and a y/n question on top.
func render(_ s: AppState, into c: inout Canvas) {
    let layout = Layout(width: c.width, height: c.height)
    c.fill(Rect(x: 0, y: 0, width: c.width, height: c.height), style: .plain)
    if layout.tooSmall {
        Dialogs.drawTooSmall(&c)
        return
    }
    StatusBar.draw(s, in: layout.status, &c)
    if case .form(let f) = s.mode {
        FormView.draw(f, s, in: layout.body, &c)
    } else {
        ListView.draw(s, in: layout.list, &c)
        DetailPane.draw(s, in: layout.detail, &c)
    }
    if case .dialog(let f) = s.mode {
        Dialogs.drawForm(f, s, in: layout.body, &c)
    }
    if s.mode == .copyMenu { Dialogs.drawCopyMenu(s, in: layout.body, &c) }
    StatusBar.drawToasts(s, in: layout.body, &c)
    StatusBar.drawBottom(s, in: layout.bottom, &c)
    if s.showHelp { HelpOverlay.draw(s, in: layout.body, &c) }
    if let q = s.confirm { Dialogs.drawConfirm(q, in: layout.body, &c) }
}
