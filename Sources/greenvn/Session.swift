import Foundation
import GreenVNApp
import GreenVNKit
import GreenVNSimulator
import GreenVNStore
import Logging

/// Everything a command needs: the target (a tenant or the embedded simulator), the registry
/// for that target, and the operations that keep the two in step.
struct Session {
    let registry: Registry
    let operations: Operations
    let target: TargetInfo
    let simulator: Simulator?
    /// The embedded simulator, started when first needed (`startInBackground`).
    var starting: LazySimulator? = nil

    /// Resolves the target; with no credentials anywhere, starts the embedded simulator on an
    /// ephemeral loopback port with its state in the data dir (shared with other processes).
    /// `startInBackground` (the console): the simulator starts at the first call to the API,
    /// which waits for it; the registry and the first frame need it not.
    /// `connections`: `.single` for a command that runs once (see `SQLiteRegistry.Connections`).
    static func open(_ flags: [String: String], connections: SQLiteRegistry.Connections = .single, reconcile: Bool = true,
                     quiet: Bool = false, startInBackground: Bool = false) async throws -> Session {
        let dataDir = DataDirectory.path()
        try DataDirectory.ensure(dataDir)
        Logs.bootstrap(dataDir: dataDir)
        let resolved = try SettingsResolver.resolve(SettingsSources(flags: flags))
        let tuning = try Tuning.fromEnvironment()
        var settings: ConnectionSettings
        var simulator: Simulator?
        var starting: LazySimulator?
        if let resolved {
            settings = resolved
        } else if startInBackground {
            starting = LazySimulator(dataDir: dataDir)
            settings = ConnectionSettings(baseURL: "http://127.0.0.1/v1", accountSID: SimulatorConfig().accountSID, apiKey: "", apiToken: "")
        } else {
            let sim = try await EmbeddedSimulator.start(dataDir: dataDir)
            simulator = sim
            settings = sim.settings
            if !quiet { Output.note("no credentials configured: using the embedded simulator (state in \(dataDir))") }
        }
        let registry = try await RegistryOpener.openOffPool(flags["registry"], settings: resolved, dataDir: dataDir, connections: connections)
        let api: LeadAssistAPI
        if let starting {
            api = StartingSimulator(starting: starting, tuning: tuning)
        } else {
            let retry = tuning.apply(to: &settings)
            api = LeadAssistClient(settings: settings, retry: retry, logger: Logger(label: "greenvn.client"))
        }
        let operations = Operations(api: api, registry: registry)
        let target = TargetInfo(isSimulator: resolved == nil, accountSID: settings.accountSID, host: settings.host)
        let session = Session(registry: registry, operations: operations, target: target, simulator: simulator, starting: starting)
        if reconcile { await session.reconcile(quiet: quiet) }
        return session
    }

    /// Opens a session, runs `body` in it and closes it on every path (the embedded simulator
    /// must stop whether the command succeeded, failed or was refused).
    static func with<T>(_ flags: [String: String], connections: SQLiteRegistry.Connections = .single, reconcile: Bool = true,
                        quiet: Bool = false, startInBackground: Bool = false,
                        _ body: (Session) async throws -> T) async throws -> T {
        let session = try await open(flags, connections: connections, reconcile: reconcile, quiet: quiet, startInBackground: startInBackground)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// The registry alone, for commands that never touch the network (`list`).
    static func openRegistry(_ flags: [String: String]) throws -> Registry {
        let dataDir = DataDirectory.path()
        try DataDirectory.ensure(dataDir)
        Logs.bootstrap(dataDir: dataDir)
        let resolved = try SettingsResolver.resolve(SettingsSources(flags: flags))
        return try RegistryOpener.open(flags["registry"], settings: resolved, dataDir: dataDir, connections: .single)
    }

    /// Creates whose outcome a killed or cut-off earlier run never learned are settled first.
    func reconcile(quiet: Bool) async {
        let report = await operations.reconcile()
        guard !quiet else { return }
        for s in report.confirmed {
            Output.note("an earlier create is confirmed: \(s.allocation.connectionId) → \(s.allocation.greenVN) (\(s.allocation.greenvnId))")
        }
        for cid in report.idUnknown {
            Output.note("connection_id \(cid) was allocated but its greenvn_id was lost; run `greenvn import GREENVN_ID` once you know it")
        }
        if report.stillPending > 0 {
            Output.note("\(report.stillPending) create(s) still waiting for Lead Assist; they are retried with the same connection_id on the next run")
        }
    }

    func close() async {
        await simulator?.stop()
        await starting?.stop()
    }
}

/// The embedded simulator's API while it is still starting: each call waits for it to listen.
struct StartingSimulator: LeadAssistAPI {
    let starting: LazySimulator
    let tuning: Tuning

    private func client() async throws -> LeadAssistClient {
        do {
            var settings = try await starting.value.settings
            let retry = tuning.apply(to: &settings)
            return LeadAssistClient(settings: settings, retry: retry, logger: Logger(label: "greenvn.client"))
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw GreenVNError.configuration("the embedded simulator could not start: \(Text.printable(String(describing: error), limit: 200))")
        }
    }

    func create(_ request: AllocationRequest) async throws -> Allocation { try await client().create(request) }
    func create(_ request: AllocationRequest, body: Data) async throws -> Allocation { try await client().create(request, body: body) }
    func details(_ greenvnId: String) async throws -> Allocation { try await client().details(greenvnId) }
    func swap(_ greenvnId: String, _ request: SwapRequest, knownVN: String?) async throws -> Allocation {
        try await client().swap(greenvnId, request, knownVN: knownVN)
    }
    func updateParties(_ greenvnId: String, _ update: PartyUpdate) async throws -> Allocation {
        try await client().updateParties(greenvnId, update)
    }
    func deallocate(_ greenvnId: String) async throws -> Allocation { try await client().deallocate(greenvnId) }
    func settings() async throws -> AccountSettings { try await client().settings() }
    func updateSettings(_ settings: AccountSettings) async throws -> AccountSettings { try await client().updateSettings(settings) }
}

/// The console's embedded simulator, started by the first call that needs it: the first frame
/// no longer shares the two cores with the server's start (its pool, its state file, the
/// listener: ~20 ms of a 70 ms launch), and a session that only browses never starts it.
final class LazySimulator: @unchecked Sendable {
    private let dataDir: String
    private let lock = NSLock()
    private var task: Task<Simulator, Error>?

    init(dataDir: String) { self.dataDir = dataDir }

    var value: Simulator {
        get async throws { try await started().value }
    }

    private func started() -> Task<Simulator, Error> {
        lock.withLock {
            if let task { return task }
            let dir = dataDir
            let t = Task { try await EmbeddedSimulator.start(dataDir: dir) }
            task = t
            return t
        }
    }

    /// Stops the simulator if it was started.
    func stop() async {
        let t = lock.withLock { task }
        if let t, let sim = try? await t.value { await sim.stop() }
    }
}

enum EmbeddedSimulator {
    static func start(dataDir: String) async throws -> Simulator {
        let dir = dataDir + "/simulator"
        try DataDirectory.ensure(dir)
        var config = SimulatorConfig()
        config.statePath = dir + "/state.sqlite"
        // No logger (the simulator's default): its server logged one "started" line per command
        // and, at every stop (a cancellation of its task), "Waiting on child channel:
        // CancellationError()" as an error. It serves only this process on loopback; its
        // failures reach the operator as the client's errors, which are logged.
        let sim = try Simulator(config: config)
        try await sim.start(host: "127.0.0.1", port: 0)
        return sim
    }
}

enum Logs {
    nonisolated(unsafe) static var done = false
    /// Every log line goes to `<data dir>/greenvn.log`, never to the terminal.
    static func bootstrap(dataDir: String) {
        guard !done else { return }
        done = true
        let level = ProcessInfo.processInfo.environment["GREENVN_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        FileLogHandler.bootstrap(path: dataDir + "/greenvn.log", level: level)
    }
}
