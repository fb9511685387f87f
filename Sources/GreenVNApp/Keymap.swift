import GreenVNStore
import TerminalKit

/// Where a key binding applies. Browsing uses `.list` and `.detail` together; every text
/// input adds `.edit`.
enum KeyContext: String, CaseIterable, Sendable {
    case list, detail, pane, copyMenu, form, dialog, confirm, filter, command, edit

    var title: String {
        switch self {
        case .list: return "List"
        case .detail: return "Selected allocation"
        case .pane: return "Detail pane (Tab or Enter focuses it)"
        case .copyMenu: return "Copy (Y)"
        case .form: return "New allocation"
        case .dialog: return "Dialog"
        case .confirm: return "Confirm"
        case .filter: return "Filter"
        case .command: return "Command line"
        case .edit: return "Editing text"
        }
    }
}

/// What a key does. The command line and tests dispatch these directly.
enum Command: Equatable, Hashable, Sendable {
    // list
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case nextTab, prevTab, showState(StateFilter)
    case nextSort, flipSort, reloadList
    case startFilter, back, startCommand, startImport, help, newAllocation, quit
    // the selected allocation
    case swapNow, swapWithPreferences, refresh, editParties, deallocate, copyVN, openCopyMenu
    // the detail pane
    case focusDetail, focusList, scrollDown, scrollUp, scrollPageDown, scrollPageUp, scrollTop, scrollBottom
    // the copy menu
    case copy(CopyField), closeMenu
    // form and dialogs
    case nextField, prevField, enterField, submit, cancel, nextChoice
    // text editing
    case cursorLeft, cursorRight, lineStart, lineEnd, deleteBack, deleteForward, clearLine
    // confirm
    case confirmYes, confirmNo
    // filter and command line
    case acceptInput, cancelInput, completeCommand
}

/// What `Y` can copy of the selected allocation.
enum CopyField: String, Equatable, Hashable, Sendable, CaseIterable {
    case vn = "VN", greenvnId = "greenvn_id", connectionId = "connection_id"
}

/// One row of the keymap: the same entry dispatches the key, fills the help overlay and the
/// hint bar, and is hidden and refused under --read-only when it mutates.
struct KeyBinding: Equatable, Sendable {
    let keys: [Key]
    let context: KeyContext
    let action: Command
    /// Shown in the help overlay.
    let help: String
    /// Shown in the hint bar (short).
    let label: String
    var mutates = false
    var inHintBar = false
}

enum Keymap {
    static let table: [KeyBinding] = [
        // List
        KeyBinding(keys: [.char("j"), .down, .wheelDown], context: .list, action: .moveDown, help: "next allocation", label: "down"),
        KeyBinding(keys: [.char("k"), .up, .wheelUp], context: .list, action: .moveUp, help: "previous allocation", label: "up"),
        KeyBinding(keys: [.pageDown, .ctrl("f")], context: .list, action: .pageDown, help: "page down", label: "page"),
        KeyBinding(keys: [.pageUp, .ctrl("b")], context: .list, action: .pageUp, help: "page up", label: "page"),
        KeyBinding(keys: [.char("g"), .home], context: .list, action: .top, help: "first allocation", label: "top"),
        KeyBinding(keys: [.char("G"), .end], context: .list, action: .bottom, help: "last allocation", label: "bottom"),
        KeyBinding(keys: [.tab, .enter], context: .list, action: .focusDetail, help: "focus the detail pane (scroll it)", label: "details"),
        KeyBinding(keys: [.char("]"), .right], context: .list, action: .nextTab, help: "next tab", label: "tab"),
        KeyBinding(keys: [.char("["), .left], context: .list, action: .prevTab, help: "previous tab", label: "tab"),
        KeyBinding(keys: [.char("1")], context: .list, action: .showState(.active), help: "show active allocations", label: "active"),
        KeyBinding(keys: [.char("2")], context: .list, action: .showState(.expired), help: "show expired ones (not yet confirmed)", label: "expired"),
        KeyBinding(keys: [.char("3")], context: .list, action: .showState(.vault), help: "show the vault (released and expired)", label: "vault"),
        KeyBinding(keys: [.char("4")], context: .list, action: .showState(.all), help: "show all allocations", label: "all"),
        KeyBinding(keys: [.char("o")], context: .list, action: .nextSort, help: "sort by the next column", label: "sort"),
        KeyBinding(keys: [.char("O")], context: .list, action: .flipSort, help: "reverse the sort order", label: "reverse"),
        KeyBinding(keys: [.ctrl("l")], context: .list, action: .reloadList, help: "read the list from the registry again", label: "reload"),
        KeyBinding(keys: [.char("n")], context: .list, action: .newAllocation, help: "allocate a new VN", label: "new", mutates: true, inHintBar: true),
        KeyBinding(keys: [.char("/")], context: .list, action: .startFilter, help: "filter (numbers, ids)", label: "filter", inHintBar: true),
        KeyBinding(keys: [.escape], context: .list, action: .back, help: "dismiss a notice, else clear the filter", label: "back"),
        KeyBinding(keys: [.char(":")], context: .list, action: .startCommand, help: "command line (Tab completes)", label: "cmd"),
        KeyBinding(keys: [.char("i")], context: .list, action: .startImport, help: "import an allocation by its greenvn_id…", label: "import"),
        KeyBinding(keys: [.char("?"), .f(1)], context: .list, action: .help, help: "this help", label: "help", inHintBar: true),
        KeyBinding(keys: [.char("q")], context: .list, action: .quit, help: "quit", label: "quit", inHintBar: true),
        // The selected allocation
        KeyBinding(keys: [.char("s")], context: .detail, action: .swapNow, help: "swap now, keeping its preferences", label: "swap", mutates: true, inHintBar: true),
        KeyBinding(keys: [.char("S")], context: .detail, action: .swapWithPreferences, help: "swap with preferences…", label: "swap…", mutates: true),
        KeyBinding(keys: [.char("r")], context: .detail, action: .refresh, help: "refresh from the API", label: "refresh", inHintBar: true),
        KeyBinding(keys: [.char("e")], context: .detail, action: .editParties, help: "edit parties and pins…", label: "edit", mutates: true, inHintBar: true),
        KeyBinding(keys: [.char("d")], context: .detail, action: .deallocate, help: "deallocate (asks y/n)", label: "dealloc", mutates: true, inHintBar: true),
        KeyBinding(keys: [.char("y")], context: .detail, action: .copyVN, help: "copy the VN (OSC 52)", label: "copy", inHintBar: true),
        KeyBinding(keys: [.char("Y")], context: .detail, action: .openCopyMenu, help: "copy an id… (greenvn_id, connection_id)", label: "copy…"),
        // The focused detail pane
        KeyBinding(keys: [.char("j"), .down, .wheelDown], context: .pane, action: .scrollDown, help: "scroll down a line", label: "down"),
        KeyBinding(keys: [.char("k"), .up, .wheelUp], context: .pane, action: .scrollUp, help: "scroll up a line", label: "up"),
        KeyBinding(keys: [.pageDown, .ctrl("f"), .char(" ")], context: .pane, action: .scrollPageDown, help: "scroll down a page", label: "page"),
        KeyBinding(keys: [.pageUp, .ctrl("b")], context: .pane, action: .scrollPageUp, help: "scroll up a page", label: "page"),
        KeyBinding(keys: [.char("g"), .home], context: .pane, action: .scrollTop, help: "top of the details", label: "top"),
        KeyBinding(keys: [.char("G"), .end], context: .pane, action: .scrollBottom, help: "end of the details", label: "end"),
        KeyBinding(keys: [.tab, .escape, .enter], context: .pane, action: .focusList, help: "back to the list", label: "list", inHintBar: true),
        // Y: copy which id
        KeyBinding(keys: [.char("y"), .char("v")], context: .copyMenu, action: .copy(.vn), help: "the VN", label: "VN", inHintBar: true),
        KeyBinding(keys: [.char("i")], context: .copyMenu, action: .copy(.greenvnId), help: "the greenvn_id", label: "greenvn_id", inHintBar: true),
        KeyBinding(keys: [.char("c")], context: .copyMenu, action: .copy(.connectionId), help: "the connection_id", label: "connection_id", inHintBar: true),
        KeyBinding(keys: [.escape], context: .copyMenu, action: .closeMenu, help: "copy nothing", label: "cancel", inHintBar: true),
        // New allocation form
        KeyBinding(keys: [.tab, .down], context: .form, action: .nextField, help: "next field", label: "next", inHintBar: true),
        KeyBinding(keys: [.backTab, .up], context: .form, action: .prevField, help: "previous field", label: "prev", inHintBar: true),
        KeyBinding(keys: [.enter], context: .form, action: .enterField, help: "next field; on the last one, allocate", label: "next", mutates: true),
        KeyBinding(keys: [.char(" ")], context: .form, action: .nextChoice, help: "next choice (choosers)", label: "choose"),
        KeyBinding(keys: [.ctrl("s")], context: .form, action: .submit, help: "allocate", label: "allocate", mutates: true, inHintBar: true),
        KeyBinding(keys: [.escape], context: .form, action: .cancel, help: "cancel (asks if typed)", label: "cancel", inHintBar: true),
        KeyBinding(keys: [.f(1)], context: .form, action: .help, help: "this help", label: "help", inHintBar: true),
        // Swap and call-party dialogs
        KeyBinding(keys: [.tab, .down], context: .dialog, action: .nextField, help: "next field", label: "next", inHintBar: true),
        KeyBinding(keys: [.backTab, .up], context: .dialog, action: .prevField, help: "previous field", label: "prev"),
        KeyBinding(keys: [.char(" ")], context: .dialog, action: .nextChoice, help: "next choice (choosers)", label: "choose"),
        KeyBinding(keys: [.ctrl("s"), .enter], context: .dialog, action: .submit, help: "send", label: "send", mutates: true, inHintBar: true),
        KeyBinding(keys: [.escape], context: .dialog, action: .cancel, help: "cancel", label: "cancel", inHintBar: true),
        KeyBinding(keys: [.f(1)], context: .dialog, action: .help, help: "this help", label: "help"),
        // y/n questions
        KeyBinding(keys: [.char("y"), .char("Y")], context: .confirm, action: .confirmYes, help: "yes", label: "yes", inHintBar: true),
        KeyBinding(keys: [.char("n"), .char("N"), .escape], context: .confirm, action: .confirmNo, help: "no", label: "no", inHintBar: true),
        // Filter and command line
        KeyBinding(keys: [.enter], context: .filter, action: .acceptInput, help: "keep the filter", label: "keep", inHintBar: true),
        KeyBinding(keys: [.escape], context: .filter, action: .cancelInput, help: "clear the filter", label: "clear", inHintBar: true),
        KeyBinding(keys: [.enter], context: .command, action: .acceptInput, help: "run the command", label: "run", inHintBar: true),
        KeyBinding(keys: [.tab], context: .command, action: .completeCommand, help: "complete the command or its argument", label: "complete", inHintBar: true),
        KeyBinding(keys: [.escape], context: .command, action: .cancelInput, help: "cancel", label: "cancel", inHintBar: true),
        // Any text input
        KeyBinding(keys: [.left, .right], context: .edit, action: .cursorLeft, help: "move (choosers: change)", label: "move"),
        KeyBinding(keys: [.home, .ctrl("a")], context: .edit, action: .lineStart, help: "start of the field", label: "home"),
        KeyBinding(keys: [.end, .ctrl("e")], context: .edit, action: .lineEnd, help: "end of the field", label: "end"),
        KeyBinding(keys: [.backspace], context: .edit, action: .deleteBack, help: "delete before the cursor", label: "bksp"),
        KeyBinding(keys: [.delete], context: .edit, action: .deleteForward, help: "delete under the cursor", label: "del"),
        KeyBinding(keys: [.ctrl("u")], context: .edit, action: .clearLine, help: "clear the field", label: "clear"),
    ]

    /// Entries that apply in `context`, as help and the hint bar show them.
    static func bindings(in context: KeyContext, readOnly: Bool) -> [KeyBinding] {
        table.filter { $0.context == context && !(readOnly && $0.mutates) }
    }

    /// The first binding for `key` among `contexts` (in order), hidden ones included so a
    /// read-only refusal can name what was refused.
    static func binding(for key: Key, in contexts: [KeyContext]) -> (KeyBinding, Command)? {
        for context in contexts {
            for b in table where b.context == context {
                if b.keys.contains(key) {
                    // ← and → share one entry; the key says which way.
                    if b.action == .cursorLeft, key == .right { return (b, .cursorRight) }
                    return (b, b.action)
                }
            }
        }
        return nil
    }

    static func label(_ key: Key) -> String {
        switch key {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .insert: return "Ins"
        case .f(let n): return "F\(n)"
        case .wheelUp, .wheelDown: return "wheel"
        case .click: return "click"
        case .resize: return "resize"
        case .paste: return "paste"
        }
    }

    static func labels(_ keys: [Key]) -> String {
        var seen: [String] = []
        for k in keys { let l = label(k); if !seen.contains(l) { seen.append(l) } }
        return seen.joined(separator: " ")
    }
}

extension StateFilter {
    /// The list's tabs, in order: expired rows (past expiry, their release not confirmed yet)
    /// have a tab of their own and are in the vault tab too.
    static let tabs: [StateFilter] = [.active, .expired, .vault, .all]
}
