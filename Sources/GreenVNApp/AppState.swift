import Foundation
import GreenVNKit
import GreenVNStore

/// Everything the console shows, as a value. `update` changes it; `render` draws it.
struct AppState: Equatable {
    var target: TargetInfo
    var readOnly: Bool
    var now: Date
    var timeZone: TimeZone
    var size: Size = Size(width: 80, height: 24)
    var list = ListModel()
    var counts = TabCounts()
    /// History and audit of the selected allocation (its fields come from the list row).
    var detail: DetailData?
    var mode: Mode = .browse
    /// Which of the list and the detail pane j/k and the page keys move.
    var focus: Focus = .list
    /// First line of the detail pane shown (it scrolls when focused).
    var detailScroll = 0
    /// A y/n question above everything else.
    var confirm: Confirm?
    var showHelp = false
    /// First row of the help shown, when it is taller than the screen.
    var helpScroll = 0
    var toasts: [Toast] = []
    var inFlight: [InFlight] = []
    var nextTicket = 1
    /// The random half of fresh connection_ids (update does no I/O); the Runner seeds it at random.
    var ids: SplitMix64
    var nextToastId = 1

    init(target: TargetInfo, readOnly: Bool, now: Date, timeZone: TimeZone = .current, idSeed: UInt64 = 0) {
        self.target = target
        self.readOnly = readOnly
        self.now = now
        self.timeZone = timeZone
        self.ids = SplitMix64(seed: idSeed)
    }

    var layout: Layout { Layout(width: size.width, height: size.height) }

    /// The key contexts that apply now, most specific first.
    var contexts: [KeyContext] {
        if confirm != nil { return [.confirm] }
        switch mode {
        case .browse: return focus == .detail ? [.pane, .detail, .list] : [.list, .detail]
        case .copyMenu: return [.copyMenu]
        case .filter: return [.filter, .edit]
        case .command: return [.command, .edit]
        case .form: return [.form, .edit]
        case .dialog: return [.dialog, .edit]
        }
    }

    /// The row under the cursor, when it is loaded.
    var selected: StoredAllocation? {
        guard let row = list.row(at: list.cursor), row.id == list.selectedId else { return nil }
        return row
    }

    /// What `?` lists: the keys in force, and while browsing the detail pane's own keys too.
    var helpContexts: [KeyContext] {
        if mode == .browse && focus == .list { return [.list, .detail, .pane] }
        return contexts
    }

    /// How often the Runner must tick: the spinner, countdowns and fading toasts need a
    /// clock; an idle console needs none.
    var tickInterval: TimeInterval? {
        if !inFlight.isEmpty { return 0.25 }
        if toasts.contains(where: { $0.until != nil }) { return 1 }
        let visible = list.visibleRows(layout.listVisibleRows)
        if visible.contains(where: { $0.expiresAt != nil && $0.allocation.state == .active }) { return 1 }
        return nil
    }
}

struct Size: Equatable, Sendable {
    var width: Int
    var height: Int
}

enum Focus: Equatable {
    case list, detail
}

enum Mode: Equatable {
    case browse
    /// `Y`: which id of the selected allocation to copy.
    case copyMenu
    case filter(TextField)
    case command(TextField)
    /// The new-allocation form fills the body.
    case form(FormState)
    /// Swap-with-preferences and call-party dialogs float over the list.
    case dialog(FormState)
}

struct Confirm: Equatable {
    enum Purpose: Equatable {
        case deallocate(StoredAllocation)
        /// Leave a form whose values would be lost.
        case discardForm
        case quitWithRequestsInFlight
    }
    var purpose: Purpose
    var title: String
    var lines: [String]
}

struct Toast: Equatable {
    enum Level: Equatable { case info, warn, error }
    var id: Int
    var level: Level
    var text: String
    /// nil: stays until dismissed (failures, so none goes unread).
    var until: Date?

    /// How long a toast stays on its own; nil for one the operator dismisses.
    static func lifetime(_ level: Level) -> TimeInterval? {
        switch level {
        case .info: return 4
        case .warn: return 8
        case .error: return nil
        }
    }
}

struct InFlight: Equatable {
    var ticket: Int
    var operation: Job
    /// The VN when it was sent, so "swapped A → B" can be said.
    var vnBefore: String?
    /// A strict swap keeping the allocation's preferences: what to send when no free VN
    /// matches them all (the same preferences, not strict), and what to tell the operator.
    var fallback: Job? = nil
    /// Said with the outcome (e.g. that the new VN does not match the preferences).
    var note: String? = nil
}

/// The window of the registry the list holds: `rows` are rows offset… of the query.
struct ListModel: Equatable {
    var query = ListQuery()
    /// Rows under the query; nil until the first page arrives.
    var total: Int?
    /// False while `total` is a lower bound (a common text filter is not counted to the end).
    var totalIsExact = true
    var offset = 0
    var rows: [StoredAllocation] = []
    /// The query `rows` were read for (the query changes before its first page arrives).
    var loadedQuery: ListQuery?
    var cursor = 0
    var scrollTop = 0
    var selectedId: String?
    /// Only the newest page request's answer is applied.
    var generation = 0
    var loadError: String?

    func row(at index: Int) -> StoredAllocation? {
        let i = index - offset
        return rows.indices.contains(i) ? rows[i] : nil
    }

    func visibleRows(_ height: Int) -> [StoredAllocation] {
        (scrollTop..<(scrollTop + max(0, height))).compactMap(row(at:))
    }

    var count: Int { total ?? 0 }
}

extension AppState {
    /// True when a frame shows everything asked for so far: the visible rows of the current
    /// query and the selected allocation's detail.
    var frameIsSettled: Bool {
        list.total != nil && list.loadedQuery == list.query && windowLoaded
            && (list.selectedId == nil || detail?.id == list.selectedId)
    }
}
