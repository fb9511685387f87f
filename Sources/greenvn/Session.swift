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

    /// Resolves the target; with no credentials anywhere, starts the embedded simulator on an
    /// ephemeral loopback port with its state in the data dir (shared with other processes).
    static func open(_ connection: ConnectionOptions, reconcile: Bool = true, quiet: Bool = false) async throws -> Session {
        let dataDir = DataDirectory.path()
        try DataDirectory.ensure(dataDir)
        Logs.bootstrap(dataDir: dataDir)
        let resolved = try SettingsResolver.resolve(SettingsSources(flags: connection.flags))
        let settings: ConnectionSettings
        var simulator: Simulator?
        if let resolved {
            settings = resolved
        } else {
            let sim = try await EmbeddedSimulator.start(dataDir: dataDir)
            simulator = sim
            settings = sim.settings
            if !quiet { Output.note("no credentials configured: using the embedded simulator (state in \(dataDir))") }
        }
        let registry = try Registry(path: DataDirectory.registryFile(for: resolved, in: dataDir))
        let client = LeadAssistClient(settings: settings, logger: Logger(label: "greenvn.client"))
        let operations = Operations(api: client, registry: registry)
        let target = TargetInfo(isSimulator: resolved == nil, accountSID: settings.accountSID, host: settings.host)
        let session = Session(registry: registry, operations: operations, target: target, simulator: simulator)
        if reconcile { await session.reconcile(quiet: quiet) }
        return session
    }

    /// The registry alone, for commands that never touch the network (`list`).
    static func openRegistry(_ connection: ConnectionOptions) throws -> Registry {
        let dataDir = DataDirectory.path()
        try DataDirectory.ensure(dataDir)
        Logs.bootstrap(dataDir: dataDir)
        let resolved = try SettingsResolver.resolve(SettingsSources(flags: connection.flags))
        return try Registry(path: DataDirectory.registryFile(for: resolved, in: dataDir))
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
    }
}

enum EmbeddedSimulator {
    static func start(dataDir: String) async throws -> Simulator {
        let dir = dataDir + "/simulator"
        try DataDirectory.ensure(dir)
        var config = SimulatorConfig()
        config.statePath = dir + "/state.sqlite"
        let sim = try Simulator(config: config, logger: Logger(label: "greenvn.simulator"))
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
