import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Everything that can happen to the console: keys, answers from effects, the clock.
/// `update` is the only consumer; the Runner is the only producer besides tests.
enum Action: Sendable {
    case start
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(Date)
    /// A keymap action dispatched directly (the command line, tests).
    case command(Command)
    case pageLoaded(PageResult)
    case pageFailed(generation: Int, message: String)
    case detailLoaded(DetailData)
    /// Some process committed a change to the registry.
    case registryChanged
    case operationDone(ticket: Int, OperationOutcome)
    case reconciled(ReconcileSummary)
    /// What the terminal did with a copy of `what` ("VN", "greenvn_id"…).
    case copied(what: String, text: String, ClipboardReport)
    /// The settings file could not be written (why).
    case settingsNotSaved(String)
}

/// A call to `Operations` (outbox → API → registry): what the spinner waits for.
enum Job: Equatable, Sendable {
    case allocate(AllocationRequest)
    case swap(id: String, SwapRequest)
    case refresh(id: String)
    case updateParties(id: String, PartyUpdate)
    case deallocate(id: String)
    /// GET an allocation by its greenvn_id and remember it (replacing an id-unknown row).
    case importAllocation(id: String)
    /// `:settings`: the account's settings, to show and edit.
    case loadSettings
    /// Replace them (`was`: what the form opened with, so the audit names what changed).
    case saveSettings(AccountSettings, was: AccountSettings)

    var targetId: String? {
        switch self {
        case .allocate, .loadSettings, .saveSettings: return nil
        case .swap(let id, _), .refresh(let id), .updateParties(let id, _), .deallocate(let id), .importAllocation(let id): return id
        }
    }

    /// "swapping" — what the spinner says while it is in flight.
    var progressVerb: String {
        switch self {
        case .allocate: return "allocating"
        case .swap: return "swapping"
        case .refresh: return "refreshing"
        case .updateParties: return "updating parties of"
        case .deallocate: return "deallocating"
        case .importAllocation: return "importing"
        case .loadSettings: return "reading the account settings"
        case .saveSettings: return "saving the account settings"
        }
    }
}

enum OperationOutcome: Equatable, Sendable {
    case success(StoredAllocation)
    /// The account settings as Lead Assist holds them (read, or after a save).
    case settings(AccountSettings)
    /// `message` is what the operator reads (GreenVNError.description or the error as text).
    case failure(message: String, error: GreenVNError?)
}

/// Side effects as values: the EffectRuntime executes them and answers with an Action.
enum Effect: Equatable {
    case loadPage(PageRequest)
    case loadDetail(id: String)
    case perform(ticket: Int, Job)
    case reconcile
    /// `what` names it for the operator ("VN", "greenvn_id"…).
    case copy(String, what: String)
    /// Keep the sort for the next session.
    case saveSettings(ConsoleSettings)
    case quit
}

struct ReconcileSummary: Equatable, Sendable {
    var confirmed = 0
    var idUnknown: [String] = []
    var stillPending = 0
    var refused: [String] = []
    /// Reconcile itself could not run (the registry unreadable…).
    var failure: String?
}
