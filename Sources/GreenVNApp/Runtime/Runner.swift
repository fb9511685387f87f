import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The one impure part: owns the terminal on this thread, feeds actions to `update`, hands
/// the effects to the runtime (which runs them off the loop), and draws only when the state
/// changed.
final class Runner {
    private let terminal: Terminal
    private var state: AppState
    private let inbox: Inbox
    private let runtime: EffectRuntime
    private let registry: Registry

    init(context: ConsoleContext, terminal: Terminal) {
        self.terminal = terminal
        self.registry = context.registry
        let inbox = Inbox(terminal: terminal)
        self.inbox = inbox
        var state = AppState(target: context.target, readOnly: context.readOnly, now: Date(),
                             idSeed: UInt64.random(in: 0...UInt64.max))
        let settings = context.dataDirectory.map(SettingsFile.init(directory:))
        if let kept = settings?.load() { state.apply(kept) }   // a small file, read before the first frame
        self.state = state
        let services = ConsoleServices(reader: StoreReader(registry: context.registry), operations: context.operations,
                                       clipboard: { [unowned terminal] text in terminal.copyToClipboard(text) },
                                       settings: settings)
        runtime = EffectRuntime(services: services, executor: LoopExecutor(inbox: inbox))
    }

    func run() -> Int32 {
        let inbox = self.inbox
        let observation = registry.observe { inbox.post(.registryChanged) }
        defer {
            inbox.close()
            withExtendedLifetime(observation) {}
        }
        terminal.setCursor(x: 0, y: 0, visible: false)   // inputs draw their own cursor
        let size = terminal.size
        var pending: [Action] = [.resize(width: size.width, height: size.height), .start]
        var drawn: (state: AppState, width: Int, height: Int)? = nil
        while true {
            var effects: [Effect] = []
            for action in pending { effects += update(&state, action) }
            pending = []
            if runtime.execute(effects) { return 0 }

            let size = terminal.size
            if drawn == nil || drawn!.state != state || drawn!.width != size.width || drawn!.height != size.height {
                var canvas = Canvas(width: max(0, size.width), height: max(0, size.height))
                render(state, into: &canvas)
                terminal.draw(canvas)
                drawn = (state, size.width, size.height)
            }

            let timeout = state.tickInterval.map { Int32($0 * 1000) } ?? -1
            let keys = terminal.nextEvents(timeoutMs: timeout)
            pending.append(.tick(Date()))
            for key in keys {
                if key == .resize {
                    let s = terminal.size
                    pending.append(.resize(width: s.width, height: s.height))
                } else {
                    pending.append(.key(key))
                }
            }
            pending += inbox.drain()
        }
    }
}

/// The loop's executor: registry reads on one queue of their own, calls to Lead Assist as
/// tasks; every answer goes to the inbox, which wakes the loop.
final class LoopExecutor: EffectExecutor {
    private let inbox: Inbox
    private let reads = DispatchQueue(label: "greenvn.registry-reads")

    init(inbox: Inbox) { self.inbox = inbox }

    func serial(_ work: @escaping @Sendable () -> Action?) {
        let inbox = self.inbox
        reads.async { if let action = work() { inbox.post(action) } }
    }

    func concurrent(_ work: @escaping @Sendable () async -> Action) {
        let inbox = self.inbox
        Task { inbox.post(await work()) }
    }

    func deliver(_ action: Action) { inbox.post(action) }
}

/// Actions posted from other threads; posting wakes the loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Action] = []
    private var closed = false
    private weak var terminal: Terminal?

    init(terminal: Terminal) { self.terminal = terminal }

    func post(_ action: Action) {
        lock.lock()
        let open = !closed
        if open { items.append(action) }
        lock.unlock()
        if open { terminal?.wake() }
    }

    func drain() -> [Action] {
        lock.lock()
        defer { items = []; lock.unlock() }
        return items
    }

    /// After the loop ends nothing more is delivered (nor wakes a stopped terminal).
    func close() {
        lock.lock()
        closed = true
        lock.unlock()
    }
}
