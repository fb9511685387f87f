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
        // A loaded row running out moves to the vault tab: read the page again.
        let expired = state.list.rows.contains { r in
            guard let e = r.expiresAt, r.allocation.state == .active else { return false }
            return e > state.now && e <= now
        }
        state.now = now
        state.toasts.removeAll { $0.until <= now }
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
        state.toast(.error, "Could not read the registry: \(message)")
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
    }
}

extension AppState {
    mutating func handle(_ key: Key) -> [Effect] {
        if key == .resize { return [] }   // the Runner follows up with .resize(width:height:)
        if showHelp { showHelp = false; return [] }   // any key closes help
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
        case .nextSort:
            let all = SortColumn.allCases
            let next = all[((all.firstIndex(of: list.query.sort) ?? 0) + 1) % all.count]
            return setQuery { $0.sort = next; $0.descending = next == .created }
        case .flipSort: return setQuery { $0.descending.toggle() }
        case .startFilter: mode = .filter(TextField(list.query.filter)); return []
        case .back: return setQuery { $0.filter = "" }
        case .startCommand: mode = .command(TextField()); return []
        case .help: showHelp = true; return []
        case .newAllocation:
            mode = .form(.allocation(connectionId: ConnectionID.fresh(at: now, random: ids.next())))
            return []
        case .quit:
            if !inFlight.isEmpty {
                confirm = Confirm(purpose: .quitWithRequestsInFlight, title: "Quit?",
                                  lines: ["\(inFlight.count) request(s) still in flight.",
                                          "They finish in the background of this process only if it keeps running;",
                                          "an unanswered create is re-sent by the next greenvn command.",
                                          "Quit anyway?"])
                return []
            }
            return [.quit]
        case .swapNow, .swapWithPreferences, .refresh, .editParties, .deallocate, .copyVN:
            return act(on: command)
        case .nextField, .prevField, .submit, .cancel, .nextChoice:
            return formCommand(command)
        case .cursorLeft, .cursorRight, .lineStart, .lineEnd, .deleteBack, .deleteForward, .clearLine:
            return edit(command)
        case .confirmYes, .confirmNo:
            return answer(command == .confirmYes)
        case .acceptInput, .cancelInput:
            return finishInput(accept: command == .acceptInput)
        }
    }

    private mutating func refuseReadOnly(_ what: String) -> [Effect] {
        toast(.warn, "Read-only: \(what) is disabled (started with --read-only)")
        return []
    }

    /// The actions on the selected allocation, with the reasons they cannot run spelled out.
    private mutating func act(on command: Command) -> [Effect] {
        guard let a = selected else {
            toast(.warn, list.count == 0 ? "No allocation selected: press n to allocate one" : "No allocation selected")
            return []
        }
        if command == .copyVN {
            guard a.status == .known, !a.allocation.greenVN.isEmpty else {
                toast(.warn, "This allocation has no known VN to copy"); return []
            }
            toast(.info, "Copied \(a.allocation.greenVN) to the clipboard")
            return [.copy(a.allocation.greenVN)]
        }
        switch a.status {
        case .pending:
            toast(.warn, "Still sending (connection_id \(a.allocation.connectionId)): wait for the answer; the outbox re-sends it")
            return []
        case .idUnknown:
            toast(.warn, "Allocated, id unknown: find its greenvn_id (Exotel dashboard or webhook), then run greenvn import ID")
            return []
        case .known: break
        }
        if let busy = inFlight.first(where: { $0.operation.targetId == a.id }) {
            toast(.warn, "Still \(busy.operation.progressVerb) \(Format.vn(a)): wait for the answer")
            return []
        }
        if command != .refresh, a.allocation.state == .vault {
            toast(.warn, "\(Format.vn(a)) is in the vault: nothing to change (r refreshes it)")
            return []
        }
        switch command {
        case .swapNow: return start(.swap(id: a.id, SwapRequest()), vnBefore: a.allocation.greenVN)
        case .refresh: return start(.refresh(id: a.id), vnBefore: a.allocation.greenVN)
        case .swapWithPreferences: mode = .dialog(.swap(a)); return []
        case .editParties: mode = .dialog(.parties(a)); return []
        case .deallocate:
            confirm = Confirm(purpose: .deallocate(a), title: "Deallocate \(a.allocation.greenVN)?",
                              lines: ["connection_id \(a.allocation.connectionId)",
                                      "A \(a.allocation.aparty.summary) ⇄ B \(a.allocation.bparty.summary)",
                                      "Calls through this VN stop connecting; it moves to the vault."])
            return []
        default: return []
        }
    }

    mutating func start(_ operation: Job, vnBefore: String?) -> [Effect] {
        let ticket = nextTicket
        nextTicket += 1
        inFlight.append(InFlight(ticket: ticket, operation: operation, vnBefore: vnBefore))
        return [.perform(ticket: ticket, operation)]
    }

    mutating func finish(_ ticket: Int, _ outcome: OperationOutcome) -> [Effect] {
        guard let i = inFlight.firstIndex(where: { $0.ticket == ticket }) else { return [] }
        let job = inFlight.remove(at: i)
        let formWaiting = form?.ticket == ticket
        var effects: [Effect] = []
        switch outcome {
        case .success(let a):
            if formWaiting { mode = .browse }
            let vn = Format.vn(a)
            switch job.operation {
            case .allocate:
                toast(.info, "Allocated \(vn) for \(a.allocation.connectionId)")
                // Show the new allocation (active; the filter may hide it), unless the
                // operator has moved on to something else meanwhile.
                if mode == .browse && confirm == nil {
                    list.query.filter = ""
                    if list.query.state == .vault { list.query.state = .active }
                    list.selectedId = a.id
                }
            case .swap:
                let before = job.vnBefore.map { "\($0) → " } ?? ""
                toast(.info, "Swapped \(before)\(vn)")
            case .refresh:
                toast(.info, "Refreshed \(vn): \(a.effectiveState(now: now).rawValue)")
            case .updateParties:
                toast(.info, "Parties of \(vn) updated")
            case .deallocate:
                toast(.info, "Deallocated \(job.vnBefore ?? vn): moved to the vault")
            }
            effects = reload()
            if a.id == list.selectedId { effects.append(.loadDetail(id: a.id)) }
        case .failure(let message, let error):
            if case .allocatedResponseLost? = error {
                if formWaiting { mode = .browse }
                toast(.warn, message)
                effects = reload()
            } else if formWaiting, var f = form {
                f.ticket = nil
                f.serverError = message
                form = f
            } else {
                toast(.error, "\(job.operation.progressVerb.capitalized) failed: \(message)")
            }
        }
        return effects
    }

    mutating func report(_ r: ReconcileSummary) {
        if r.confirmed > 0 { toast(.info, "\(r.confirmed) allocation(s) sent earlier were confirmed") }
        if !r.idUnknown.isEmpty {
            toast(.warn, "Allocated, id unknown for connection_id \(r.idUnknown.joined(separator: ", ")): run greenvn import ID")
        }
        if !r.refused.isEmpty { toast(.error, "Refused on re-send: \(r.refused.joined(separator: "; "))") }
        if let why = r.failure { toast(.error, "Could not reconcile the outbox: \(why)") }
        if r.stillPending > 0 { toast(.warn, "\(r.stillPending) create(s) still pending: retried at the next start") }
    }

    mutating func toast(_ level: Toast.Level, _ text: String) {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        toasts.append(Toast(id: nextToastId, level: level, text: Text.printable(flat, limit: 400),
                            until: now.addingTimeInterval(Toast.lifetime(level))))
        nextToastId += 1
        if toasts.count > 4 { toasts.removeFirst(toasts.count - 4) }
    }
}
