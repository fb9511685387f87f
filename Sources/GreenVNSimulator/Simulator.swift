import Foundation
import GreenVNKit
import Hummingbird
import Logging

/// A faithful Lead Assist server: embedded on a loopback port, standalone (`greenvn sim`), or
/// in tests. Its logs go only to the logger it is given (by default nowhere).
public final class Simulator: @unchecked Sendable {
    public let config: SimulatorConfig
    private let logger: Logger
    private let store: SimulatorStore
    private let board: FaultBoard
    private let api: SimulatedAPI
    private let lock = NSLock()
    private var boundPort = 0
    private var boundHost = "127.0.0.1"
    private var serverTask: Task<Void, Never>?

    /// Where the embedded simulator keeps its state in a data directory: every process
    /// (the TUI, CLI runs) must open this same file to see the same allocations.
    public static func statePath(inDataDirectory dir: String) -> String {
        (dir.hasSuffix("/") ? String(dir.dropLast()) : dir) + "/simulator-state.sqlite"
    }

    public static let silentLogger = Logger(label: "greenvn.simulator", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens (or creates) the state; nothing listens until `start` or `run`.
    public init(config: SimulatorConfig = SimulatorConfig(), logger: Logger = Simulator.silentLogger) throws {
        self.config = config
        self.logger = logger
        let pool = Pool(perRegionAndType: config.numbersPerRegionAndType)
        store = try SimulatorStore(path: config.statePath, free: FreeNumbers(pool: pool, seed: config.seed))
        board = FaultBoard(rates: config.faults, seed: config.seed)
        api = SimulatedAPI(store: store, pool: pool, config: config)
    }

    deinit { serverTask?.cancel() }

    // MARK: serving

    /// Binds (port 0 = ephemeral) and serves in the background; returns once listening.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws {
        await stop()   // a second start rebinds rather than leaking the first server
        let (events, sink) = AsyncStream<Result<Int, any Error>>.makeStream()
        let app = application(host: host, port: port) { sink.yield(.success($0)) }
        let task = Task {
            do {
                try await app.run()
                sink.yield(.failure(CancellationError()))
            } catch {
                sink.yield(.failure(error))
            }
            sink.finish()
        }
        lock.withLock { serverTask = task }
        for await event in events {
            switch event {
            case .success(let p):
                lock.withLock { boundPort = p; boundHost = host }
                return
            case .failure(let error):
                lock.withLock { serverTask = nil }
                throw error
            }
        }
    }

    /// Stops serving (open connections are closed); the state stays.
    public func stop() async {
        let task = lock.withLock { () -> Task<Void, Never>? in
            defer { serverTask = nil }
            return serverTask
        }
        task?.cancel()
        await task?.value
    }

    /// Standalone: serves until SIGINT/SIGTERM or cancellation (used by `greenvn sim`).
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let app = application(host: host, port: port) { [weak self] p in
            self?.lock.withLock { self?.boundPort = p; self?.boundHost = host }
            onListening(p)
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    private func application(host: String, port: Int, listening: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let responder = SimResponder(api: api, board: board, control: Control(board: board, store: store), config: config)
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in listening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    public var port: Int { lock.withLock { boundPort } }

    /// "http://127.0.0.1:<port>/v1": the API root a client is given.
    public var baseURL: String {
        let host = lock.withLock { boundHost }
        let shown: String
        switch host {
        case "0.0.0.0", "", "localhost": shown = "127.0.0.1"
        case "::", "::1": shown = "[::1]"
        default: shown = host.contains(":") ? "[\(host)]" : host
        }
        return "http://\(shown):\(port)/v1"
    }

    /// Everything a client needs to talk to this simulator.
    public var settings: ConnectionSettings {
        ConnectionSettings(baseURL: baseURL, accountSID: config.accountSID, apiKey: config.apiKey, apiToken: config.apiToken)
    }

    // MARK: levers for tests (also over HTTP under /_sim)

    /// Queues `fault` for the next `count` requests of `kind` (FIFO); before any configured rate.
    public func inject(_ fault: Fault, on kind: CallKind = .any, count: Int = 1) {
        board.inject(fault, on: kind, count: count)
    }

    public func clearFaults() { board.clear() }

    /// Moves the simulated clock forward; persisted, so other processes on the file agree.
    public func advanceClock(seconds: Int) throws {
        try store.transactionSync { db, now in
            try SimulatorStore.advanceClock(db, seconds: seconds)
            try SimulatorStore.expire(db, now: now + seconds)
        }
    }

    /// Every allocation held, active and vault, oldest first (expiry applied).
    public func allAllocations() throws -> [Allocation] {
        try store.transactionSync { db, _ in try SimulatorStore.all(db).map(\.allocation) }
    }

    /// When each allocation expires, by greenvn_id, in simulated epoch seconds.
    public func expiries() throws -> [String: Int] {
        try store.transactionSync { db, _ in
            Dictionary(uniqueKeysWithValues: try SimulatorStore.all(db).map { ($0.allocation.greenvnId, $0.expiresAt) })
        }
    }

    /// Requests received per kind, faulted ones included; `.any` is the total.
    public func requestCount(_ kind: CallKind) -> Int { board.count(kind) }

    /// Every VN of the pool, in a fixed order.
    public var poolNumbers: [String] { api.pool.numbers.map(\.vn) }
}
