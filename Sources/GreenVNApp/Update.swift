import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The console's one state transition. No I/O: what must happen outside comes back as
/// effects, and their answers come in as actions.
func update(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .start:
        // Reconcile re-sends creates whose outcome is unknown: that changes allocations.
        return (state.readOnly ? [] : [.reconcile]) + state.reload()
    case .resize(let width, let height):
        state.size = Size(width: max(0, width), height: max(0, height))
        return state.scrollToCursor()
    case .tick(let now):
        // A loaded row running out moves to the expired tab: read the page again.
        let expired = state.list.rows.contains { r in
            guard let e = r.expiresAt, r.allocation.state == .active else { return false }
            return e > state.now && e <= now
        }
        state.now = now
        state.toasts.removeAll { $0.until.map { $0 <= now } ?? false }
        return expired ? state.reload() : []
    case .key(let key):
        return state.handle(key)
    case .command(let command):
        return state.perform(command)
    case .pageLoaded(let result):
        return state.apply(result)
    case .pageFailed(let generation, let message):
        guard generation == state.list.generation else { return [] }
        state.list.loadError = message
        state.toast(.error, "Could not read the registry: \(message). Ctrl-L reads it again")
        return []
    case .detailLoaded(let detail):
        if detail.id == state.list.selectedId { state.detail = detail }
        return []
    case .registryChanged:
        return state.reload() + (state.list.selectedId.map { [.loadDetail(id: $0)] } ?? [])
    case .operationDone(let ticket, let outcome):
        return state.finish(ticket, outcome)
    case .reconciled(let summary):
        state.report(summary)
        return state.reload()
    case .settingsNotSaved(let why):
        state.toast(.warn, "The sort is not kept for the next session (cannot write console.json: \(why)); check the data directory is writable")
        return []
    case .copied(let what, let text, let report):
        switch report {
        case .copied(let via): state.toast(.info, "Copied \(what) \(text) (\(via))")
        case .unsure(let why): state.toast(.warn, "Sent \(what) \(text) to the clipboard, not confirmed: \(why)")
        case .failed(let why): state.toast(.error, "Could not copy the \(what): \(why)")
        }
        return []
    }
}

extension AppState {
    mutating func handle(_ key: Key) -> [Effect] {
        if key == .resize { return [] }   // the Runner follows up with .resize(width:height:)
        if showHelp { scrollOrCloseHelp(key); return [] }
        if case .click(let x, let y) = key { return click(x: x, y: y) }
        if let (binding, command) = Keymap.binding(for: key, in: contexts) {
            if binding.mutates && readOnly { return refuseReadOnly(binding.help) }
            return perform(command)
        }
        switch key {
        case .char(let c): return type(String(c))
        case .paste(let text): return type(text)
        default: return []
        }
    }

    /// In help, j/k and the page keys scroll what does not fit; any other key closes it.
    private mutating func scrollOrCloseHelp(_ key: Key) {
        let page = max(1, layout.body.height - 6)
        switch key {
        case .char("j"), .down, .wheelDown: helpScroll += 1
        case .char("k"), .up, .wheelUp: helpScroll -= 1
        case .pageDown, .char(" "): helpScroll += page
        case .pageUp: helpScroll -= page
        default:
            showHelp = false
            helpScroll = 0
            return
        }
        helpScroll = min(max(0, helpScroll), HelpOverlay.maxScroll(self))
    }

    mutating func perform(_ command: Command) -> [Effect] {
        if readOnly, let b = Keymap.table.first(where: { $0.action == command && $0.mutates }) {
            return refuseReadOnly(b.help)
        }
        switch command {
        case .moveDown: return moveCursor(to: list.cursor + 1)
        case .moveUp: return moveCursor(to: list.cursor - 1)
        case .pageDown: return moveCursor(to: list.cursor + layout.listVisibleRows)
        case .pageUp: return moveCursor(to: list.cursor - layout.listVisibleRows)
        case .top: return moveCursor(to: 0)
        case .bottom: return moveToBottom()
        case .nextTab, .prevTab:
            let all = StateFilter.tabs
            let i = all.firstIndex(of: list.query.state) ?? 0
            let next = all[(i + (command == .nextTab ? 1 : all.count - 1)) % all.count]
            return setQuery { $0.state = next }
        case .showState(let s): return setQuery { $0.state = s }
        case .nextSort: return sortByNextShownColumn()
        case .reloadList:
            list.loadError = nil
            return reload() + (list.selectedId.map { [.loadDetail(id: $0)] } ?? [])
        case .flipSort: return setSort { $0.descending.toggle() }
        case .startFilter: mode = .filter(TextField(list.query.filter)); return []
        case .back:
            if let sticky = toasts.lastIndex(where: { $0.until == nil }) { toasts.remove(at: sticky); return [] }
            return setQuery { $0.filter = "" }
        case .startCommand: mode = .command(TextField()); return []
        case .startImport: mode = .command(TextField("import ")); return []
        case .help: showHelp = true; return []
        case .newAllocation:
            mode = .form(.allocation(connectionId: ConnectionID.fresh(at: now, random: ids.next())))
            return []
        case .quit:
            if !inFlight.isEmpty {
                confirm = Confirm(purpose: .quitWithRequestsInFlight, title: "Quit?",
                                  lines: ["\(inFlight.count) request(s) still in flight.",
                                          "They finish in the background of this process only if it keeps running;",
                                          "an unanswered create is re-sent when greenvn next starts.",
                                          "Quit anyway?"])
                return []
            }
            return [.quit]
        case .swapNow, .swapWithPreferences, .refresh, .editParties, .deallocate, .copyVN, .openCopyMenu:
            return act(on: command)
        case .copy(let field): return copy(field)
        case .closeMenu: mode = .browse; return []
        case .focusDetail, .focusList, .scrollDown, .scrollUp, .scrollPageDown, .scrollPageUp, .scrollTop, .scrollBottom:
            return detailPane(command)
        case .nextField, .prevField, .enterField, .submit, .cancel, .nextChoice:
            return formCommand(command)
        case .cursorLeft, .cursorRight, .lineStart, .lineEnd, .deleteBack, .deleteForward, .clearLine:
            return edit(command)
        case .confirmYes, .confirmNo:
            return answer(command == .confirmYes)
        case .acceptInput, .cancelInput:
            return finishInput(accept: command == .acceptInput)
        case .completeCommand:
            if case .command(let t) = mode { mode = .command(TextField(ColonCommands.complete(t.text))) }
            return []
        }
    }

    private mutating func refuseReadOnly(_ what: String) -> [Effect] {
        toast(.warn, "Read-only: \(what) is disabled (started with --read-only)")
        return []
    }

    mutating func toast(_ level: Toast.Level, _ text: String) {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        toasts.append(Toast(id: nextToastId, level: level, text: Text.printable(flat, limit: 400),
                            until: Toast.lifetime(level).map { now.addingTimeInterval($0) }))
        nextToastId += 1
        if toasts.count > 4 { toasts.removeFirst(toasts.count - 4) }
    }
}
