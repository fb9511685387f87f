import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The one impure part: owns the terminal on this thread, feeds actions to `update`, runs
/// the effects off the loop, and draws only when the state changed.
final class Runner {
    private let context: ConsoleContext
    private let terminal: Terminal
    private var state: AppState
    private let inbox: Inbox
    /// Registry reads run here, one at a time; a page request made stale by a newer one is skipped.
    private let reads = DispatchQueue(label: "greenvn.registry-reads")
    private let newestPage = Latest()

    init(context: ConsoleContext, terminal: Terminal) {
        self.context = context
        self.terminal = terminal
        self.inbox = Inbox(terminal: terminal)
        self.state = AppState(target: context.target, readOnly: context.readOnly, now: Date(),
                              idSeed: UInt64.random(in: 0...UInt64.max))
    }

    func run() -> Int32 {
        let inbox = self.inbox
        let observation = context.registry.observe { inbox.post(.registryChanged) }
        defer {
            inbox.close()
            withExtendedLifetime(observation) {}
        }
        terminal.setCursor(x: 0, y: 0, visible: false)   // inputs draw their own cursor
        let size = terminal.size
        var pending: [Action] = [.resize(width: size.width, height: size.height), .start]
        var drawn: (state: AppState, width: Int, height: Int)? = nil
        var firstFrameFile = FirstFrame.file
        while true {
            var effects: [Effect] = []
            for action in pending { effects += update(&state, action) }
            pending = []
            if execute(effects) { return 0 }

            let size = terminal.size
            if drawn == nil || drawn!.state != state || drawn!.width != size.width || drawn!.height != size.height {
                var canvas = Canvas(width: max(0, size.width), height: max(0, size.height))
                render(state, into: &canvas)
                terminal.draw(canvas)
                drawn = (state, size.width, size.height)
                if let file = firstFrameFile, state.list.total != nil {
                    FirstFrame.record(to: file)
                    firstFrameFile = nil
                }
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

    /// Starts each effect; true when the console should quit.
    private func execute(_ effects: [Effect]) -> Bool {
        var quit = false
        // Only the newest page request of a batch is worth reading.
        let lastPage = effects.lastIndex { if case .loadPage = $0 { return true } else { return false } }
        for (i, effect) in effects.enumerated() {
            switch effect {
            case .quit:
                quit = true
            case .loadPage(let request):
                if i == lastPage { loadPage(request) }
            case .loadDetail(let id):
                loadDetail(id)
            case .perform(let ticket, let operation):
                perform(ticket, operation)
            case .reconcile:
                let operations = context.operations, inbox = self.inbox
                Task {
                    let r = await operations.reconcile()
                    inbox.post(.reconciled(ReconcileSummary(
                        confirmed: r.confirmed.count, idUnknown: r.idUnknown, stillPending: r.stillPending,
                        refused: r.refused.map { "\($0.connectionId): \($0.error.description)" },
                        failure: r.failure)))
                }
            case .copy(let text):
                terminal.copyToClipboard(text)
            }
        }
        return quit
    }

    private func loadPage(_ request: PageRequest) {
        newestPage.set(request.generation)
        let registry = context.registry, inbox = self.inbox, newest = newestPage
        reads.async {
            guard newest.get() == request.generation else { return }
            do {
                inbox.post(.pageLoaded(try PageLoader.load(request, from: registry, now: Date())))
            } catch {
                inbox.post(.pageFailed(generation: request.generation, message: String(describing: error)))
            }
        }
    }

    private func loadDetail(_ id: String) {
        let registry = context.registry, inbox = self.inbox
        reads.async {
            inbox.post(.detailLoaded(DetailData.load(id: id, from: registry)))
        }
    }

    private func perform(_ ticket: Int, _ operation: Job) {
        let ops = context.operations, inbox = self.inbox
        Task {
            let outcome: OperationOutcome
            do {
                let stored: StoredAllocation
                switch operation {
                case .allocate(let r): stored = try await ops.allocate(r)
                case .swap(let id, let r): stored = try await ops.swap(id, r)
                case .refresh(let id): stored = try await ops.refresh(id)
                case .updateParties(let id, let u): stored = try await ops.updateParties(id, u)
                case .deallocate(let id): stored = try await ops.deallocate(id)
                }
                outcome = .success(stored)
            } catch let e as GreenVNError {
                outcome = .failure(message: e.description, error: e)
            } catch {
                outcome = .failure(message: String(describing: error), error: nil)
            }
            inbox.post(.operationDone(ticket: ticket, outcome))
        }
    }
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

final class Latest: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func set(_ v: Int) { lock.lock(); value = v; lock.unlock() }
    func get() -> Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// Benchmark hook (scripts/bench-process.sh): with `GREENVN_FIRST_FRAME_FILE` set, the time
/// the first frame holding the list's first page was drawn (Unix epoch seconds, microsecond
/// digits, as bash's EPOCHREALTIME) is written to that file. Nothing happens without it.
enum FirstFrame {
    static var file: String? {
        guard let f = ProcessInfo.processInfo.environment["GREENVN_FIRST_FRAME_FILE"], !f.isEmpty else { return nil }
        return f
    }

    static func record(to path: String) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let text = String(format: "%ld.%06ld\n", ts.tv_sec, ts.tv_nsec / 1_000)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))   // a benchmark's hook: best effort
    }
}
