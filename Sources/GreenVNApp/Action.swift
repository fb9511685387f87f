import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Everything that can happen to the console: keys, answers from effects, the clock.
/// `update` is the only consumer; the Runner is the only producer besides tests.
enum Action {
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
}

/// A call to `Operations` (outbox → API → registry): what the spinner waits for.
enum Job: Equatable, Sendable {
    case allocate(AllocationRequest)
    case swap(id: String, SwapRequest)
    case refresh(id: String)
    case updateParties(id: String, PartyUpdate)
    case deallocate(id: String)

    var targetId: String? {
        switch self {
        case .allocate: return nil
        case .swap(let id, _), .refresh(let id), .updateParties(let id, _), .deallocate(let id): return id
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
        }
    }
}

enum OperationOutcome: Equatable, Sendable {
    case success(StoredAllocation)
    /// `message` is what the operator reads (GreenVNError.description or the error as text).
    case failure(message: String, error: GreenVNError?)
}

/// Side effects as values: the Runner executes them and answers with an Action.
enum Effect: Equatable {
    case loadPage(PageRequest)
    case loadDetail(id: String)
    case perform(ticket: Int, Job)
    case reconcile
    case copy(String)
    case quit
}

/// Load the rows around the cursor for one query. `follow` keeps an allocation under the
/// cursor wherever it moved (re-sort, refresh, another process's write).
struct PageRequest: Equatable, Sendable {
    var query: ListQuery
    var follow: String?
    var cursor: Int
    var scrollTop: Int
    var visible: Int
    var generation: Int
    /// Count every row under a text filter (G needs the real end), not just up to `countBound`.
    var exactTotal = false

    /// Rows loaded above and below the visible window, so j/k rarely waits for the registry.
    var margin: Int { max(8, visible) }

    /// Under a text filter the rows are counted only this far (at least): an exact count of a
    /// common term reads a million rows, far more than one keystroke may cost.
    var countBound: Int { max(PageRequest.minimumCountBound, cursor + 2 * (visible + 2 * margin)) }
    static let minimumCountBound = 500
}

struct PageResult: Equatable, Sendable {
    var request: PageRequest
    var total: Int
    /// Row of `request.follow` under the query, if it is still there.
    var followIndex: Int?
    var offset: Int
    var rows: [StoredAllocation]
    var counts: Counts
    /// False when `total` is only a lower bound (a text filter matching at least that many rows).
    var exact = true
}

struct Counts: Equatable, Sendable {
    var active = 0
    var vault = 0
    var pending = 0
}

struct DetailData: Equatable, Sendable {
    var id: String
    var history: [VNChange]
    var audit: [AuditEntry]
}

struct ReconcileSummary: Equatable, Sendable {
    var confirmed = 0
    var idUnknown: [String] = []
    var stillPending = 0
    var refused: [String] = []
    /// Reconcile itself could not run (the registry unreadable…).
    var failure: String?
}
