import Foundation
import GreenVNKit
import GreenVNServing
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
    private let sender: WebhookSender
    private let quirks: Quirks
    private let calls: Calls
    private let sweeper = SweepTimer()
    private let lock = NSLock()
    private var boundPort = 0
    private var boundHost = "127.0.0.1"
    private let serving = Serving()
    private var background: [Task<Void, Never>] = []
    /// The longest the expiry sweeper sleeps: an allocation created meanwhile lives at least
    /// 5 minutes, so its deallocation webhook still goes out when it is due.
    static let idleSweepSeconds = 30

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
        let sender = WebhookSender(retry: config.webhookRetry, timeoutSeconds: config.webhookTimeoutSeconds, logger: logger)
        self.sender = sender
        // Expiry (never a DELETE) is what sends the deallocation webhook.
        store = try SimulatorStore(path: config.statePath, free: FreeNumbers(pool: pool, seed: config.seed)) { expired, settings in
            for a in expired { sender.send(.deallocated(a), to: settings.webhooks.deallocated) }
        }
        board = FaultBoard(rates: config.faults, seed: config.seed)
        api = SimulatedAPI(store: store, pool: pool, config: config, sweeper: sweeper)
        quirks = Quirks(createVNKey: config.createVNKey)
        calls = Calls(store: store, sender: sender)
        if let endpoints = config.webhooks { try api.replaceWebhooks(endpoints) }
    }

    deinit {
        background.forEach { $0.cancel() }
    }

    // MARK: serving

    /// Binds (port 0 = ephemeral) and serves in the background; returns once listening.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws {
        await stopBackground()
        let p = try await serving.start { running in self.application(host: host, port: port, listening: running) }
        lock.withLock { boundPort = p; boundHost = host }
        startBackground()
    }

    /// Stops serving (open connections are closed); the state stays.
    public func stop() async {
        await serving.stop()
        await stopBackground()
    }

    /// Standalone: serves until SIGINT/SIGTERM or cancellation (used by `greenvn sim`).
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let app = application(host: host, port: port) { [weak self] p in
            self?.lock.withLock { self?.boundPort = p; self?.boundHost = host }
            onListening(p)
        }
        startBackground()
        defer { lock.withLock { background.forEach { $0.cancel() } } }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    // MARK: background work while serving

    /// The expiry sweeper (deallocation webhooks go out when due, traffic or not) and, when
    /// configured, the random caller.
    private func startBackground() {
        var tasks: [Task<Void, Never>] = [Task { [weak self] in await self?.sweepLoop() ?? () }]
        let perMinute = config.callsPerMinute
        if perMinute > 0 {
            tasks.append(Task { [weak self] in await self?.callLoop(perMinute: perMinute) ?? () })
        }
        lock.withLock {
            background.forEach { $0.cancel() }
            background = tasks
        }
    }

    private func stopBackground() async {
        let tasks = lock.withLock { () -> [Task<Void, Never>] in
            defer { background = [] }
            return background
        }
        tasks.forEach { $0.cancel() }
        for t in tasks { await t.value }
        sender.cancelAll()
    }

    private func sweepLoop() async {
        while !Task.isCancelled {
            sweeper.woke()
            var next: (seconds: Int?, now: Int)?
            do {
                next = try await store.transaction { db, now in (try SimulatorStore.secondsToNextExpiry(db, now: now), now) }
            } catch {
                logger.warning("expiry sweep failed: \(Text.printable(String(describing: error), limit: 160)); retrying")
            }
            let wait = min(max(next?.seconds ?? Self.idleSweepSeconds, 1), Self.idleSweepSeconds)
            await sweeper.sleep(seconds: wait, now: next?.now ?? 0)
        }
    }

    private func callLoop(perMinute: Double) async {
        var rng = SplitMix64(seed: config.seed ^ 0xCA11)
        let interval = 60 / perMinute
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            if Task.isCancelled { return }
            do {
                if let o = try await calls.placeRandom(&rng) {
                    logger.debug("simulated call", metadata: ["call_sid": "\(o.callSid)", "result": "\(o.result.rawValue)",
                                                             "queued": "\(o.queued.map(\.rawValue).joined(separator: ","))"])
                }
            } catch {
                logger.debug("simulated call not placed: \(Text.printable(String(describing: error), limit: 160))")
            }
        }
    }

    private func application(host: String, port: Int, listening: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let control = Control(board: board, store: store, calls: calls, sender: sender, quirks: quirks)
        let responder = SimResponder(api: api, board: board, control: control, config: config, quirks: quirks)
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
    /// What the policy expires sends its deallocation webhook.
    public func advanceClock(seconds: Int) throws {
        _ = try store.advanceClock(seconds: seconds)
    }

    /// Simulates a call through a VN and queues its webhooks (also `POST /_sim/calls`).
    /// A call the rules refuse throws `GreenVNError.refused` with the code the control endpoint answers.
    public func placeCall(_ call: SimulatedCall) async throws -> CallOutcome {
        do {
            return try await calls.place(call)
        } catch let r as Refusal {
            throw GreenVNError.refused(APIRefusal(httpStatus: r.httpStatus, code: r.code, message: r.message))
        }
    }

    /// The webhooks queued so far (the last 500), oldest first, with how each delivery went.
    public func webhookDeliveries() -> [WebhookDelivery] { sender.all }

    /// The account settings in force.
    public func accountSettings() throws -> AccountSettings {
        try store.transactionSync { db, _ in try SimulatorStore.settings(db) }
    }

    /// The key the create answers the VN under (the `greenvn` quirk is off by default).
    public var createVNKey: VNKey {
        get { quirks.createVNKey }
        set { quirks.createVNKey = newValue }
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

/// The expiry sweeper's nap: a create whose allocation is due before the planned wake-up
/// (a default lifetime under 30 s) wakes it at once; any other create leaves it asleep.
final class SweepTimer: @unchecked Sendable {
    private let lock = NSLock()
    /// Simulated epoch seconds of the planned wake-up; `Int.max` while awake (sweeping).
    private var wakeAt = Int.max
    private var sleeper: Task<Void, Never>?
    private var poked = false

    func woke() { lock.withLock { wakeAt = .max } }

    func sleep(seconds: Int, now: Int) async {
        let nap = Task<Void, Never> { _ = try? await Task.sleep(for: .seconds(seconds)) }
        let skip = lock.withLock { () -> Bool in
            if poked { poked = false; return true }
            wakeAt = now + seconds
            sleeper = nap
            return false
        }
        if skip { nap.cancel() }
        await withTaskCancellationHandler { await nap.value } onCancel: { nap.cancel() }
        lock.withLock { sleeper = nil }
    }

    /// An allocation now expires at `expiresAt` (simulated epoch seconds).
    func due(at expiresAt: Int) {
        lock.withLock {
            guard expiresAt < wakeAt else { return }
            if let sleeper { sleeper.cancel() } else { poked = true }
        }
    }
}
