import Foundation
import GreenVNKit
import GreenVNStore

/// What the console says when a job fails: what happened, then what to do next with the
/// console's own keys. Kit's and the registry's descriptions name CLI lines (`greenvn show
/// ID`), which mean nothing inside the console.
enum Messages {
    static func failure(of job: Job, message: String, error: GreenVNError?) -> String {
        let retry = retryKey(job)
        guard let error else { return console(message) }
        switch error {
        case .refused(let r):
            return "Lead Assist refused: \(refusalText(r)). Next: \(nextStep(r, job))."
        case .allocatedResponseLost(let cid):
            return "Allocated, answer lost: Lead Assist holds an allocation for connection_id \(cid), but its greenvn_id never arrived. " +
                "Find it in Exotel's dashboard or a webhook, then press i and enter it."
        case .network(let why):
            return "Could not reach Lead Assist: \(why). \(unknownOutcome(job)) Check the connection, then \(retry)."
        case .timeout(let seconds):
            return "No answer from Lead Assist within \(Int(seconds))s. \(unknownOutcome(job)) \(retry.capitalizedFirst)."
        case .badResponse(let status, let snippet):
            return "Lead Assist answered HTTP \(status) with something that is not its JSON (\"\(snippet)\"). \(unknownOutcome(job)) \(retry.capitalizedFirst) later."
        case .unavailable(let r):
            return "Lead Assist is unavailable (HTTP \(r.httpStatus)\(r.code.map { ", code \($0)" } ?? "")\(r.message.isEmpty ? "" : ": \(r.message)")) after every retry. \(unknownOutcome(job)) \(retry.capitalizedFirst) in a minute."
        case .outcomeUnknown(let why):
            return "Outcome unknown: \(why). Press r to see what Lead Assist holds now."
        case .notDone(let what):
            return "Not done: \(what) did not happen (every answer was lost; Lead Assist shows the allocation unchanged). \(retry.capitalizedFirst)."
        case .invalid, .configuration:
            return console(error.description)
        }
    }

    /// The key that sends the same thing again.
    static func retryKey(_ job: Job) -> String {
        switch job {
        case .allocate: return "press Ctrl-S in the form to send it again (same connection_id: never allocated twice)"
        case .swap(_, let r): return r.preferences.isEmpty ? "press s to swap again" : "press s (or S) to swap again"
        case .refresh: return "press r to refresh again"
        case .updateParties: return "press e to edit the parties again"
        case .deallocate: return "press d to deallocate again"
        case .importAllocation: return "press i to import it again"
        case .loadSettings: return "type :settings to read them again"
        case .saveSettings: return "press Ctrl-S to save them again"
        }
    }

    /// For calls that change something and got no answer: whether it happened is not known.
    static func unknownOutcome(_ job: Job) -> String {
        switch job {
        case .allocate: return "The create is kept (a pending row) and re-sent with the same connection_id at the next start, or when you press r on its row."
        case .swap, .updateParties, .deallocate: return "It may or may not have happened: press r to see what Lead Assist holds now."
        case .refresh, .importAllocation, .loadSettings: return "Nothing changed."
        case .saveSettings: return "They may or may not be saved: type :settings to see what Lead Assist holds now."
        }
    }

    static func refusalText(_ r: APIRefusal) -> String {
        let meaning = r.known?.meaning
        let message = r.message.isEmpty ? (meaning ?? "refused") : r.message
        let code = r.code.map { "code \($0), " } ?? ""
        let extra = meaning.map { $0 == message ? "" : " (\($0))" } ?? ""
        return "\(message) [\(code)HTTP \(r.httpStatus)]\(extra)"
    }

    /// Kit's next step, with the console's keys where Kit names a CLI line.
    static func nextStep(_ r: APIRefusal, _ job: Job) -> String {
        switch r.code {
        case 1: return "Lead Assist no longer knows this greenvn_id; press r to check again"
        case 4:
            if case .swap = job { return "press S to relax the preferences or turn strictness off" }
            return "relax the preferences or turn strictness off in the form, then Ctrl-S"
        case 18: return "change the connection_id; if that allocation is yours, press i and enter its greenvn_id"
        case 20: return "press r to refresh the allocation, then try again"
        default: return console(r.nextStep)
        }
    }

    /// A message from Kit or the registry with its CLI lines turned into the console's keys.
    static func console(_ text: String) -> String {
        var t = text
        let rewrites: [(String, (String) -> String)] = [
            ("`greenvn import ([^`]*)`", { id in id.hasPrefix("GREENVN") || id == "ID" ? "press i and enter its greenvn_id" : "press i and import \(id)" }),
            ("`greenvn show ([^`]*)`", { _ in "press r on its row" }),
            ("`greenvn list --filter ([^`]*)`", { term in "press / and type \(term)" }),
            ("`greenvn list[^`]*`", { _ in "the list" }),
        ]
        for (pattern, replacement) in rewrites {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            while let m = regex.firstMatch(in: t, range: NSRange(t.startIndex..., in: t)), let whole = Range(m.range, in: t) {
                let captured = m.numberOfRanges > 1 ? Range(m.range(at: 1), in: t).map { String(t[$0]) } ?? "" : ""
                t.replaceSubrange(whole, with: replacement(captured))
            }
        }
        return t.replacingOccurrences(of: "run press", with: "press")
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
