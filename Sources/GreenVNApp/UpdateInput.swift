import Foundation
import GreenVNKit
import GreenVNStore

/// Forms, dialogs, y/n questions, the filter and the command line.
extension AppState {
    /// The form or dialog being edited, if any.
    var form: FormState? {
        get {
            switch mode {
            case .form(let f), .dialog(let f): return f
            default: return nil
            }
        }
        set {
            guard let f = newValue else { return }
            switch mode {
            case .form: mode = .form(f)
            case .dialog: mode = .dialog(f)
            default: break
            }
        }
    }

    mutating func formCommand(_ command: Command) -> [Effect] {
        guard var f = form else { return [] }
        switch command {
        case .enterField where f.focus == f.fields.count - 1:
            // Enter on the last field sends the form, as a form in any other program does.
            return submit(&f)
        case .nextField, .prevField, .enterField:
            f.touched.insert(f.focused.field)
            let n = f.fields.count
            f.focus = (f.focus + (command == .prevField ? n - 1 : 1)) % n
        case .nextChoice:
            guard f.focused.isChoice else { form = f; return type(" ") }
            cycle(&f, by: 1)
        case .cancel:
            if f.isDirty {
                confirm = Confirm(purpose: .discardForm, title: "Discard?",
                                  lines: ["Close \"\(f.title)\" and lose what you typed?"])
            } else {
                closeForm(f)
            }
            return []
        case .submit:
            return submit(&f)
        default: break
        }
        form = f
        return []
    }

    private mutating func submit(_ f: inout FormState) -> [Effect] {
        defer { form = f }
        guard f.ticket == nil else { toast(.info, "Already sending: wait for the answer"); return [] }
        if readOnly, case .accountSettings = f.purpose {
            toast(.warn, "Read-only console: the settings are shown, not changed (Esc closes them)")
            return []
        }
        f.submitAttempted = true
        f.serverError = nil
        switch f.submission() {
        case .failure(.invalid(let errors)):
            // Nothing is sent; the cursor goes to the first field to fix.
            if let first = errors.blocking.first, let i = f.fields.firstIndex(where: { $0.field == first.field }) {
                f.focus = i
            }
            return []
        case .failure(.nothingToSend(let why)):
            toast(.info, "Nothing to send: \(why)")
            return []
        case .success(let (operation, _)):
            var vnBefore: String? = nil
            if case .swap(let a) = f.purpose { vnBefore = a.allocation.greenVN }
            if case .parties(let a) = f.purpose { vnBefore = a.allocation.greenVN }
            f.ticket = nextTicket   // the ticket start() is about to hand out
            return start(operation, vnBefore: vnBefore)
        }
    }

    private mutating func closeForm(_ f: FormState) {
        if f.ticket != nil { toast(.info, "Still sending: the answer will show here") }
        mode = .browse
    }

    private func cycle(_ f: inout FormState, by step: Int) {
        let n = f.focused.options.count
        guard n > 0 else { return }
        f.fields[f.focus].choice = (f.focused.choice + step + n) % n
        f.touched.insert(f.focused.field)
    }

    /// Cursor keys and deletions for whichever text input has the focus.
    mutating func edit(_ command: Command) -> [Effect] {
        func apply(_ t: inout TextField) {
            switch command {
            case .cursorLeft: t.left()
            case .cursorRight: t.right()
            case .lineStart: t.home()
            case .lineEnd: t.end()
            case .deleteBack: t.backspace()
            case .deleteForward: t.deleteForward()
            case .clearLine: t.clear()
            default: break
            }
        }
        switch mode {
        case .filter(var t):
            apply(&t)
            mode = .filter(t)
            return setQuery { $0.filter = t.text }
        case .command(var t):
            apply(&t)
            mode = .command(t)
        case .form, .dialog:
            guard var f = form else { return [] }
            if f.focused.isChoice {
                if command == .cursorLeft { cycle(&f, by: -1) }
                if command == .cursorRight { cycle(&f, by: 1) }
            } else {
                apply(&f.fields[f.focus].input)
                if command != .cursorLeft && command != .cursorRight && command != .lineStart && command != .lineEnd {
                    f.touched.insert(f.focused.field)
                }
            }
            form = f
        case .browse, .copyMenu:
            break
        }
        return []
    }

    /// Typed or pasted text for the focused input (never a control character).
    mutating func type(_ text: String) -> [Effect] {
        switch mode {
        case .filter(var t):
            t.insert(text)
            mode = .filter(t)
            return setQuery { $0.filter = t.text }
        case .command(var t):
            t.insert(text)
            mode = .command(t)
        case .form, .dialog:
            guard var f = form else { return [] }
            if f.focused.isChoice {
                // A letter picks the next option that starts with it, by code or by name
                // ("m" → mobile, "k" → KA, then KL; "b" → WB, West Bengal).
                if let c = text.first?.lowercased() {
                    let options = f.focused.options
                    let n = options.count
                    let matches = (1...n).map { (f.focused.choice + $0) % n }.filter { i in
                        let label = Choice.label(f.focused.field, options[i]).lowercased()
                        return label.hasPrefix(c) || label.split(separator: " ").dropFirst().contains { $0.hasPrefix(c) }
                    }
                    if let i = matches.first {
                        f.fields[f.focus].choice = i
                        f.touched.insert(f.focused.field)
                    }
                }
            } else {
                let multi = f.focused.kind == .numbers || f.focused.kind == .pins
                f.fields[f.focus].input.insert(text, newlines: multi ? ", " : " ")
                f.touched.insert(f.focused.field)
            }
            form = f
        case .browse, .copyMenu:
            break
        }
        return []
    }

    mutating func answer(_ yes: Bool) -> [Effect] {
        guard let c = confirm else { return [] }
        confirm = nil
        guard yes else { return [] }
        switch c.purpose {
        case .deallocate(let a):
            if readOnly { return [] }
            return start(.deallocate(id: a.id), vnBefore: a.allocation.greenVN)
        case .discardForm:
            if let f = form { closeForm(f) } else { mode = .browse }
            return []
        case .quitWithRequestsInFlight:
            return [.quit]
        }
    }

    mutating func finishInput(accept: Bool) -> [Effect] {
        switch mode {
        case .filter:
            mode = .browse
            return accept ? [] : setQuery { $0.filter = "" }
        case .command(let t):
            mode = .browse
            return accept ? run(t.text) : []
        default:
            return []
        }
    }

    private mutating func run(_ line: String) -> [Effect] {
        switch ColonCommand.parse(line) {
        case .failure(let refusal):
            toast(.error, refusal.message)
            return []
        case .success(let c):
            switch c {
            case .none: return []
            case .quit: return perform(.quit)
            case .help: return perform(.help)
            case .refresh: return perform(.refresh)
            case .new: return perform(.newAllocation)
            case .filter(let text): return setQuery { $0.filter = text }
            case .state(let s): return setQuery { $0.state = s }
            case .sort(let column, let descending):
                return setSort { $0.sort = column; $0.descending = descending ?? (column == .created) }
            case .settings:
                if inFlight.contains(where: { $0.operation == .loadSettings }) { return [] }
                return start(.loadSettings, vnBefore: nil)
            case .importId(let id):
                if let busy = inFlight.first(where: { $0.operation.targetId == id }) {
                    toast(.warn, "Still \(busy.operation.progressVerb) \(id): wait for the answer")
                    return []
                }
                return start(.importAllocation(id: id), vnBefore: nil)
            }
        }
    }
}
