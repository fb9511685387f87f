import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// What the console tells the operator: failures that stay until read, next steps with the
/// console's own keys, copies said "copied" only when the terminal took them.
@Suite struct NoticesTests {
    static let jobs: [Job] = [
        .allocate(AllocationRequest(connectionId: "c-1", aparty: Party(["+919876543210"]), bparty: Party(["+918765432109"]), usage: .twoway)),
        .swap(id: sample[0].id, SwapRequest()), .refresh(id: sample[0].id),
        .updateParties(id: sample[0].id, PartyUpdate(usage: .oneway)), .deallocate(id: sample[0].id), .importAllocation(id: "abc"),
    ]
    static let errors: [GreenVNError] = [
        .refused(APIRefusal(httpStatus: 404, code: 1, message: "GreenVN not found")),
        .refused(APIRefusal(httpStatus: 452, code: 4, message: "")),
        .refused(APIRefusal(httpStatus: 409, code: 18, message: "exists")),
        .refused(APIRefusal(httpStatus: 404, code: 20, message: "")),
        .refused(APIRefusal(httpStatus: 401, code: 7, message: "")),
        .allocatedResponseLost(connectionId: "c-1"), .network("connection refused"), .timeout(seconds: 15),
        .badResponse(httpStatus: 502, snippet: "<html>"), .unavailable(APIRefusal(httpStatus: 503, code: nil, message: "")),
        .outcomeUnknown("every answer was lost"), .notDone(what: "the swap"),
        .configuration("Lead Assist answered (swap of abc: VN +9180, active) but the registry could not record it: disk full. Run `greenvn import abc` once it is writable."),
        .invalid(ValidationFailure([FieldError(.greenvnId, "the allocation for connection_id c-1 has no greenvn_id yet: find it in Exotel's dashboard or a webhook, then run `greenvn import GREENVN_ID`")])),
        .invalid(ValidationFailure([FieldError(.connectionId, "a create for connection_id c-1 is being sent right now: wait for it, then `greenvn list --filter c-1`", kind: .duplicate)])),
    ]

    @Test func everyFailureNamesTheConsolesKeyNotACommandLine() {
        for job in Self.jobs {
            for error in Self.errors {
                let text = Messages.failure(of: job, message: error.description, error: error)
                #expect(!text.contains("`greenvn") && !text.contains("greenvn show") && !text.contains("greenvn import")
                        && !text.contains("greenvn list") && !text.contains(" ID "), "\(job) \(error): \(text)")
                #expect(text.contains("press") || text.contains("Press") || text.contains("nothing to do")
                        || text.contains("check EXOTEL") || text.contains("Ctrl-S"), "\(job) \(error): no next step: \(text)")
            }
        }
    }

    @Test func aSwapWhoseAnswerWasLostSaysToCheckWithR() {
        let h = Harness()
        h.press(.char("s"), .char("j"))   // sample[0] has preferences: a strict swap keeping them
        let error = GreenVNError.outcomeUnknown("the swap's answer was lost and a GET failed")
        h.send(.operationDone(ticket: h.lastTicket!, .failure(message: error.description, error: error)))
        let text = h.state.toasts.last?.text ?? ""
        #expect(text.contains("Press r to see what Lead Assist holds now"), "\(text)")
        #expect(!text.contains("greenvn show"))
    }

    @Test func failuresStayUntilDismissedAndEscDismissesThem() {
        let h = Harness()
        h.press(.char("s"))
        h.send(.operationDone(ticket: h.lastTicket!, .failure(message: "x", error: .network("connection refused"))))
        h.press(.char("y"))   // an info toast too
        h.send(.tick(now.addingTimeInterval(3_600)))
        #expect(h.state.toasts.count == 1 && h.state.toasts[0].level == .error, "the failure stayed, the copy toast faded")
        #expect(h.screen().contains("Esc dismisses"))
        let idle = Harness([])
        idle.state.toast(.error, "a failure")
        #expect(idle.state.tickInterval == nil, "a notice that stays needs no clock")
        h.press(.char("/")); h.type("order"); h.press(.enter)
        h.press(.escape)
        #expect(h.state.toasts.isEmpty, "Esc dismissed the notice first")
        #expect(h.state.list.query.filter == "order", "and kept the filter")
        h.press(.escape)
        #expect(h.state.list.query.filter == "", "the next Esc clears the filter")
    }

    @Test func sKeepsTheAllocationsPreferencesAndSaysWhenTheNewVNDoesNotMatch() async {
        let h = Harness()
        let kept = Preferences(region: .KA, type: .mobile)
        h.press(.char("s"))
        #expect(h.operations == [.swap(id: sample[0].id, SwapRequest(strictness: true, preferences: kept))])
        // No free VN matches KA · mobile: the same preferences, not strict.
        let noMatch = GreenVNError.refused(APIRefusal(httpStatus: 452, code: 4, message: "No free VN matches"))
        h.send(.operationDone(ticket: h.lastTicket!, .failure(message: noMatch.description, error: noMatch)))
        #expect(h.operations.last == .swap(id: sample[0].id, SwapRequest(strictness: false, preferences: kept)))
        var swapped = sample[0]
        swapped.allocation.greenVN = "+917000000001"
        h.send(.operationDone(ticket: h.lastTicket!, .success(swapped)))
        let text = h.state.toasts.last?.text ?? ""
        #expect(text.hasPrefix("Swapped +918047112233 → +917000000001"))
        #expect(text.contains("no free VN matches all of KA · mobile"), "\(text)")
        #expect(h.state.toasts.last?.level == .warn)

        // Without preferences: any free VN, as before.
        h.press(.char("j"), .char("j"), .char("s"))
        #expect(h.operations.last == .swap(id: sample[1].id, SwapRequest()))
    }

    @Test func theSwapRunsThroughTheRuntimeToo() async {
        let h = Harness()
        var answer = sample[0]
        answer.allocation.greenVN = "+918047110101"
        let swapped = answer
        h.leadAssist.answer = { _ in .success(swapped) }
        h.press(.char("s"))
        await h.finishJobs()
        #expect(h.state.toasts.last?.text == "Swapped +918047112233 → +918047110101")
        #expect(h.state.inFlight.isEmpty)
    }

    @Test func copiesSayWhatTheTerminalDidWithThem() {
        let h = Harness()
        h.press(.char("y"))
        #expect(h.takeEffects() == [.copy("+918047112233", what: "VN")])
        #expect(h.state.toasts.last?.text == "Copied VN +918047112233 (test terminal)")
        h.clipboard.report = .unsure("tmux drops it (its set-clipboard is external): add `set -g set-clipboard on` to ~/.tmux.conf")
        h.press(.char("Y"))
        #expect(h.state.mode == .copyMenu)
        #expect(h.screen().contains("greenvn_id") && h.screen().contains(sample[0].id))
        h.press(.char("i"))
        #expect(h.state.mode == .browse)
        #expect(h.takeEffects() == [.copy(sample[0].id, what: "greenvn_id")])
        let text = h.state.toasts.last?.text ?? ""
        #expect(text.hasPrefix("Sent greenvn_id \(sample[0].id) to the clipboard, not confirmed") && text.contains("set-clipboard on"))
        #expect(h.state.toasts.last?.level == .warn)
        h.press(.char("Y"), .char("c"))
        #expect(h.takeEffects() == [.copy("gvn-3f9a1c2b7d10", what: "connection_id")])
        h.press(.char("Y"), .escape)
        #expect(h.takeEffects().isEmpty && h.state.mode == .browse)
        h.press(.char("j"), .char("Y"), .char("i"))   // the pending row has no greenvn_id yet
        #expect(h.takeEffects().isEmpty)
        #expect(h.state.toasts.last?.text.contains("no known greenvn_id") == true)
    }

    @Test func clipboardTargetsAreJudgedFromTheEnvironmentAndTmux() {
        func report(_ env: [String: String], _ options: [String: String] = [:]) -> ClipboardReport {
            ClipboardTarget.report(environment: env, tmuxOption: { options[$0] })
        }
        #expect(report(["TMUX": "/tmp/s,1,0"], ["set-clipboard": "on"]) == .copied(via: "tmux"))
        guard case .unsure(let why) = report(["TMUX": "/tmp/s,1,0"], ["set-clipboard": "external"]) else { Issue.record("sure"); return }
        #expect(why.contains("set -g set-clipboard on"))
        guard case .unsure = report(["TMUX": "/tmp/s,1,0"]) else { Issue.record("tmux unasked yet sure"); return }
        #expect(report(["TERM": "xterm-kitty"]) == .copied(via: "kitty"))
        guard case .unsure = report(["TERM": "xterm-256color"]) else { Issue.record("an unknown terminal taken as sure"); return }
    }

    @Test func idUnknownRowsSayHowToImportThem() {
        let h = Harness()
        h.press(.char("G"), .char("s"))
        let text = h.state.toasts.last?.text ?? ""
        #expect(text.contains("press i and enter it") && !text.contains("greenvn import"))
        h.press(.char("i"))
        #expect(h.state.mode == .command(TextField("import ")))
        h.type("6c1f0d2e-0000-4f1e-9c3d-2a5b7e9f1a99")
        h.press(.enter)
        #expect(h.operations.last == .importAllocation(id: "6c1f0d2e-0000-4f1e-9c3d-2a5b7e9f1a99"))
    }

    @Test func rOnAPendingRowReSendsIt() {
        let h = Harness()
        h.press(.char("j"), .char("r"))
        #expect(h.takeEffects() == [.reconcile])
    }
}
