import Foundation
import GreenVNKit
import GreenVNStore

/// The actions on the selected allocation, the jobs they start and what their outcomes say.
extension AppState {
    /// The actions on the selected allocation, with the reasons they cannot run spelled out.
    mutating func act(on command: Command) -> [Effect] {
        guard let a = selected else {
            toast(.warn, list.count == 0 ? "No allocation selected: press n to allocate one" : "No allocation selected")
            return []
        }
        if command == .copyVN { return copy(.vn) }
        if command == .openCopyMenu { mode = .copyMenu; return [] }
        switch a.status {
        case .pending:
            if command == .refresh {
                toast(.info, "Re-sending the creates whose answer never came (connection_id \(a.allocation.connectionId) among them)")
                return [.reconcile]
            }
            toast(.warn, "Still sending (connection_id \(a.allocation.connectionId)): no answer yet. Press r to re-send it now (same connection_id, never allocated twice)")
            return []
        case .idUnknown:
            toast(.warn, "Allocated, but its greenvn_id was lost: find it in Exotel's dashboard or a webhook, then press i and enter it")
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
        case .swapNow: return swapKeepingPreferences(a)
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

    /// `s`: a new VN with the preferences the allocation was made with (as its pane shows
    /// them), strictly first; when no free VN matches them all, the closest one, and the
    /// operator is told. Without preferences: any free VN.
    mutating func swapKeepingPreferences(_ a: StoredAllocation) -> [Effect] {
        let kept = Preferences(region: a.preferences.region, pinCode: a.preferences.pinCode, type: a.preferences.type)
        guard !kept.isEmpty else { return start(.swap(id: a.id, SwapRequest()), vnBefore: a.allocation.greenVN) }
        let fallback = Job.swap(id: a.id, SwapRequest(strictness: false, preferences: kept))
        return start(.swap(id: a.id, SwapRequest(strictness: true, preferences: kept)), vnBefore: a.allocation.greenVN,
                     fallback: fallback)
    }

    /// `y` and the `Y` menu.
    mutating func copy(_ field: CopyField) -> [Effect] {
        if mode == .copyMenu { mode = .browse }
        guard let a = selected else { toast(.warn, "No allocation selected"); return [] }
        let text: String
        switch field {
        case .vn: text = a.status == .known ? a.allocation.greenVN : ""
        case .greenvnId: text = a.status == .known ? a.id : ""
        case .connectionId: text = a.allocation.connectionId
        }
        guard !text.isEmpty else {
            toast(.warn, "This allocation has no known \(field.rawValue) to copy (Y copies its connection_id)")
            return []
        }
        return [.copy(text, what: field.rawValue)]
    }

    mutating func start(_ operation: Job, vnBefore: String?, fallback: Job? = nil, note: String? = nil) -> [Effect] {
        let ticket = nextTicket
        nextTicket += 1
        inFlight.append(InFlight(ticket: ticket, operation: operation, vnBefore: vnBefore, fallback: fallback, note: note))
        return [.perform(ticket: ticket, operation)]
    }

    mutating func finish(_ ticket: Int, _ outcome: OperationOutcome) -> [Effect] {
        guard let i = inFlight.firstIndex(where: { $0.ticket == ticket }) else { return [] }
        let job = inFlight.remove(at: i)
        let formWaiting = form?.ticket == ticket
        var effects: [Effect] = []
        switch outcome {
        case .settings(let s):
            if case .saveSettings = job.operation {
                if formWaiting { mode = .browse }
                toast(.info, "Account settings saved")
            } else if mode == .browse && confirm == nil {
                mode = .dialog(FormState.accountSettings(s))
            }
        case .success(let a):
            if formWaiting { mode = .browse }
            let vn = Format.vn(a)
            let note = job.note.map { "; " + $0 } ?? ""
            switch job.operation {
            case .allocate:
                toast(.info, "Allocated \(vn) for \(a.allocation.connectionId)")
                // Show the new allocation (active; the filter may hide it), unless the
                // operator has moved on to something else meanwhile.
                if mode == .browse && confirm == nil {
                    list.query.filter = ""
                    if list.query.state != .active && list.query.state != .all { list.query.state = .active }
                    list.selectedId = a.id
                }
            case .swap:
                let before = job.vnBefore.map { "\($0) → " } ?? ""
                toast(job.note == nil ? .info : .warn, "Swapped \(before)\(vn)\(note)")
            case .refresh:
                toast(.info, "Refreshed \(vn): \(a.effectiveState(now: now).rawValue)")
            case .updateParties:
                toast(.info, "Parties of \(vn) updated")
            case .deallocate:
                toast(.info, "Deallocated \(job.vnBefore ?? vn): moved to the vault")
            case .importAllocation:
                toast(.info, "Imported \(vn) (connection_id \(a.allocation.connectionId)): \(a.effectiveState(now: now).rawValue)")
                if mode == .browse && confirm == nil {
                    list.query.filter = ""
                    list.query.state = .all
                    list.selectedId = a.id
                }
            case .loadSettings, .saveSettings:
                break   // answered with .settings
            }
            effects = reload()
            if a.id == list.selectedId { effects.append(.loadDetail(id: a.id)) }
        case .failure(let message, let error):
            if let fallback = job.fallback, case .refused(let r)? = error, r.code == 4, case .swap(_, let strict) = job.operation {
                // No free VN matches every kept preference: take the closest, and say so.
                let wanted = strict.preferences.summary
                return start(fallback, vnBefore: job.vnBefore,
                             note: "no free VN matches all of \(wanted), so Lead Assist picked the closest (S chooses other preferences)")
            }
            let text = Messages.failure(of: job.operation, message: message, error: error)
            if case .allocatedResponseLost? = error {
                if formWaiting { mode = .browse }
                toast(.warn, text)
                effects = reload()
            } else if formWaiting, var f = form {
                f.ticket = nil
                f.serverError = text
                form = f
            } else {
                var subject = job.vnBefore ?? job.operation.targetId ?? ""
                if case .allocate(let r) = job.operation { subject = r.connectionId }
                toast(.error, "\(job.operation.progressVerb.capitalizedFirst) \(subject) failed: \(text)")
            }
        }
        return effects
    }

    mutating func report(_ r: ReconcileSummary) {
        if r.confirmed > 0 { toast(.info, "\(r.confirmed) allocation(s) sent earlier were confirmed") }
        if !r.idUnknown.isEmpty {
            toast(.warn, "Allocated, but the greenvn_id was lost for connection_id \(r.idUnknown.joined(separator: ", ")): find it in Exotel's dashboard or a webhook, then press i and enter it")
        }
        if !r.refused.isEmpty { toast(.error, "Refused on re-send: \(r.refused.map(Messages.console).joined(separator: "; "))") }
        if let why = r.failure { toast(.error, "Could not re-send the unanswered creates: \(Messages.console(why)). Press r on a pending row to try again") }
        if r.stillPending > 0 { toast(.warn, "\(r.stillPending) create(s) still unanswered: press r on a pending row to re-send, or they are re-sent at the next start") }
    }
}
