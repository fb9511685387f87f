import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The console without a terminal: the Runner's own path (state → `update` → effects →
/// registry reads through `PageLoader` → `render` into a Canvas), with the reads answered
/// on the calling thread instead of the Runner's read queue. For benchmarks and tools that
/// need the real cost of a frame; operations (allocate, swap…), copies and reconcile are
/// not run, so it never changes the registry.
public final class HeadlessConsole {
    private let registry: Registry
    private var state: AppState
    /// The last frame drawn.
    public private(set) var frame: Canvas

    public init(registry: Registry, target: TargetInfo, width: Int, height: Int, readOnly: Bool = true, now: Date = Date()) {
        self.registry = registry
        state = AppState(target: target, readOnly: readOnly, now: now, idSeed: 42)
        frame = Canvas(width: width, height: height)
        _ = send(.resize(width: width, height: height))
    }

    /// What the Runner does first: `.start`, then the first page (and the detail of the row
    /// under the cursor). Returns the frame with the list's rows in it.
    @discardableResult
    public func start() throws -> Canvas {
        try run(.start)
    }

    /// One key, everything it causes (page and detail reads included), and the frame after it.
    @discardableResult
    public func press(_ key: Key) throws -> Canvas {
        try run(.key(key))
    }

    /// Some other process changed the registry (what the observer reports).
    @discardableResult
    public func registryChanged() throws -> Canvas {
        try run(.registryChanged)
    }

    public var cursor: Int { state.list.cursor }
    /// Rows under the current query (nil until the first page).
    public var total: Int? { state.list.total }
    public var selectedId: String? { state.list.selectedId }
    /// Rows held in memory for the list window.
    public var loadedRows: Int { state.list.rows.count }
    public var filter: String { state.list.query.filter }
    /// False while `total` is a lower bound (a text filter not counted to the end).
    public var totalIsExact: Bool { state.list.totalIsExact }

    /// Nanoseconds from the action to its full frame: `update`, the reads the frame needs (the
    /// detail of the selected row; a page when visible rows are missing) and `render`.
    public private(set) var lastFrameNanoseconds: UInt64 = 0
    /// The same, counted in this thread's CPU time: what the frame costs when no other process
    /// takes the core meanwhile (a shared 2-core machine preempts a thread for milliseconds).
    public private(set) var lastFrameCPUNanoseconds: UInt64 = 0
    /// Whether the last action read a page ahead of the cursor after its frame.
    public private(set) var lastReadAhead = false
    /// Nanoseconds of the reads the frame did not need (a page read ahead of the cursor), which
    /// the Runner does on its read queue while the frame is already on screen, and the frame after.
    public private(set) var lastBackgroundNanoseconds: UInt64 = 0

    private func run(_ action: Action) throws -> Canvas {
        let start = Self.nanoseconds()
        let startCPU = Self.nanoseconds(CLOCK_THREAD_CPUTIME_ID)
        var ahead: [PageRequest] = []
        var pending = [action]
        while !pending.isEmpty {
            let effects = pending.flatMap { send($0) }
            pending = []
            // As the Runner: only the newest page request of a batch is read.
            let lastPage = effects.lastIndex { if case .loadPage = $0 { return true } else { return false } }
            for (i, effect) in effects.enumerated() {
                switch effect {
                case .loadPage(let request) where i == lastPage:
                    if state.list.total != nil && state.windowLoaded && request.query == shownQuery {
                        ahead = [request]   // reading ahead: the frame is drawn without it
                    } else {
                        ahead = []
                        pending.append(.pageLoaded(try PageLoader.load(request, from: registry, now: Date())))
                    }
                case .loadDetail(let id):
                    pending.append(.detailLoaded(DetailData.load(id: id, from: registry)))
                default:
                    break
                }
            }
        }
        draw()
        let drawn = Self.nanoseconds()
        lastFrameNanoseconds = drawn - start
        lastFrameCPUNanoseconds = Self.nanoseconds(CLOCK_THREAD_CPUTIME_ID) - startCPU
        lastReadAhead = !ahead.isEmpty
        if let request = ahead.first {
            pending = [.pageLoaded(try PageLoader.load(request, from: registry, now: Date()))]
            while !pending.isEmpty {
                let effects = pending.flatMap { send($0) }
                pending = []
                for effect in effects {
                    if case .loadPage(let r) = effect { pending.append(.pageLoaded(try PageLoader.load(r, from: registry, now: Date()))) }
                    if case .loadDetail(let id) = effect { pending.append(.detailLoaded(DetailData.load(id: id, from: registry))) }
                }
            }
            draw()
        }
        lastBackgroundNanoseconds = Self.nanoseconds() - drawn
        return frame
    }

    private func draw() {
        var canvas = Canvas(width: frame.width, height: frame.height)
        render(state, into: &canvas)
        frame = canvas
    }

    private static func nanoseconds(_ clock: clockid_t = CLOCK_MONOTONIC) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The query of the rows in memory (a page for another query is needed by the very next frame).
    private var shownQuery: ListQuery?

    private func send(_ action: Action) -> [Effect] {
        if case .pageLoaded(let r) = action, r.request.generation == state.list.generation { shownQuery = r.request.query }
        return update(&state, action)
    }
}

extension DetailData {
    /// History and audit of one allocation, as the detail pane shows them.
    static func load(id: String, from registry: Registry) -> DetailData {
        let history = (try? registry.history(of: id)) ?? []
        let audit = (try? registry.audit(for: id, limit: 50)) ?? []
        return DetailData(id: id, history: history, audit: audit)
    }
}
