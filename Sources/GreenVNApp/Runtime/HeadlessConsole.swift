import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The console on the calling thread: what the Runner does (actions → `update` → the
/// EffectRuntime), minus the terminal and the threads. The runtime's work waits in a queue
/// until `step()` runs it, so a caller decides how much of it a frame includes.
final class ConsoleDriver {
    var state: AppState
    let runtime: EffectRuntime
    private let executor: InlineExecutor
    private(set) var quit = false
    /// Every batch of effects `update` produced (tests read them).
    var onEffects: (([Effect]) -> Void)?

    init(state: AppState, services: ConsoleServices) {
        self.state = state
        executor = InlineExecutor()
        runtime = EffectRuntime(services: services, executor: executor)
    }

    func send(_ action: Action) {
        let effects = update(&state, action)
        onEffects?(effects)
        if runtime.execute(effects) { quit = true }
    }

    /// Runs the oldest queued work (a registry read, or an answer known at once) and feeds its
    /// answer to `update`. False when nothing was queued.
    @discardableResult
    func step() -> Bool {
        guard let next = executor.next() else { return false }
        if let action = next() { send(action) }
        return true
    }

    /// Steps until nothing is queued.
    func drain() { while step() {} }

    /// Runs the calls to Lead Assist started so far, in order, and queues their answers.
    func finishJobs() async { await executor.finishJobs() }

    func render(width: Int? = nil, height: Int? = nil) -> Canvas {
        var canvas = Canvas(width: width ?? state.size.width, height: height ?? state.size.height)
        GreenVNApp.render(state, into: &canvas)
        return canvas
    }
}

/// Queues the runtime's work for `ConsoleDriver.step()`.
final class InlineExecutor: EffectExecutor {
    private var queue: [() -> Action?] = []
    private var jobs: [@Sendable () async -> Action] = []

    func serial(_ work: @escaping @Sendable () -> Action?) { queue.append(work) }
    func concurrent(_ work: @escaping @Sendable () async -> Action) { jobs.append(work) }
    func deliver(_ action: Action) { queue.append { action } }

    func next() -> (() -> Action?)? { queue.isEmpty ? nil : queue.removeFirst() }

    func finishJobs() async {
        let started = jobs
        jobs = []
        for job in started {
            let action = await job()
            queue.append { action }
        }
    }
}

/// The console without a terminal, over a real registry, for benchmarks and tools: the
/// operator's code path (update, the EffectRuntime, PageLoader, render), with the registry
/// read on the calling thread. It never calls Lead Assist and so never changes the registry.
public final class HeadlessConsole {
    private let driver: ConsoleDriver

    public init(registry: Registry, target: TargetInfo, width: Int, height: Int, readOnly: Bool = true, now: Date = Date()) {
        let services = ConsoleServices(reader: StoreReader(registry: registry), operations: nil,
                                       clipboard: { _ in .failed("a headless console has no terminal") })
        driver = ConsoleDriver(state: AppState(target: target, readOnly: readOnly, now: now, idSeed: 42), services: services)
        driver.send(.resize(width: width, height: height))
    }

    /// What the Runner does first: `.start`, then every read its first frame needs.
    public func start() { run(.start) }

    /// One key and the reads its frame needs: the selected allocation's detail, and a page when
    /// visible rows are missing or the query changed. A page read ahead of the cursor stays
    /// queued for `readAhead()`, as the Runner reads it while the frame is already on screen.
    public func press(_ key: Key) { run(.key(key)) }

    /// Some other process changed the registry (what the observer reports).
    public func registryChanged() { run(.registryChanged) }

    /// Runs the queued reads the last frame did not need, and what they cause. True when
    /// there were any.
    @discardableResult
    public func readAhead() -> Bool {
        guard driver.step() else { return false }
        driver.drain()
        return true
    }

    /// The frame as the operator would see it now.
    public func render() -> Canvas { driver.render() }

    public var cursor: Int { driver.state.list.cursor }
    /// Rows under the current query (nil until the first page).
    public var total: Int? { driver.state.list.total }
    public var selectedId: String? { driver.state.list.selectedId }
    /// Rows held in memory for the list window.
    public var loadedRows: Int { driver.state.list.rows.count }
    public var filter: String { driver.state.list.query.filter }
    /// False while `total` is a lower bound (a text filter not counted to the end).
    public var totalIsExact: Bool { driver.state.list.totalIsExact }

    private func run(_ action: Action) {
        driver.send(action)
        while !driver.state.frameIsSettled && driver.step() {}
    }
}
