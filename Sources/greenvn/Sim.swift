import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNSimulator
import Logging

struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the Lead Assist simulator as a standalone server.",
        discussion: "Point greenvn (or curl) at it with GREENVN_BASE_URL=http://HOST:PORT/v1 and the credentials it prints.")

    @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(name: .customLong("account-sid")) var accountSID = "SIMULATOR"
    @Option(name: .customLong("api-key")) var apiKey = "sim-key"
    @Option(name: .customLong("api-token")) var apiToken = "sim-token"
    @Option(help: "SQLite file for the simulator's state (in memory when omitted).") var state: String?
    @Option(name: .customLong("pool-size"), help: "VNs per region and number type.") var poolSize = 20
    @Option(name: .customLong("default-duration"), help: "Seconds an allocation lives without a deallocation_policy.") var defaultDuration = 86_400
    @Option(name: .customLong("latency-ms"), help: "Added to every answer.") var latencyMs = 0
    @Option(name: .customLong("error-rate"), help: "Share of requests answered 500 (0–1).") var errorRate = 0.0
    @Option(name: .customLong("throttle-rate"), help: "Share of requests answered 429 with Retry-After (0–1).") var throttleRate = 0.0
    @Option(name: .customLong("drop-rate"), help: "Share of connections dropped without an answer (0–1).") var dropRate = 0.0
    @Option(help: "Seed for the fault rates and tie-breaks.") var seed: UInt64 = 42
    @Option(name: .customLong("webhook-url"), help: "Sets every webhook endpoint of the account settings to this http(s) URL at start.")
    var webhookURL: String?
    @Option(name: .customLong("calls-per-minute"), help: "Places this many random calls a minute on live allocations, sending their webhooks (0–600).")
    var callsPerMinute = 0.0
    @Option(name: .customLong("create-vn-key"), help: "The key the create answers the VN under: green_vn (as documented) or greenvn (a client tolerance check).")
    var createVNKey = VNKey.greenVN.rawValue

    func validate() throws {
        for (name, v) in [("--error-rate", errorRate), ("--throttle-rate", throttleRate), ("--drop-rate", dropRate)] where !(0...1).contains(v) {
            throw ValidationError("\(name) \(v) is out of range: 0–1")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is out of range: 0–65535") }
        guard (1...1_000).contains(poolSize) else { throw ValidationError("--pool-size \(poolSize) is out of range: 1–1000") }
        if let url = webhookURL, case .failure(let why) = WebhookURL.parse(url) {
            throw ValidationError("--webhook-url: \(why.message)")
        }
        guard (0...600).contains(callsPerMinute) else { throw ValidationError("--calls-per-minute \(callsPerMinute) is out of range: 0–600") }
        guard VNKey(rawValue: createVNKey) != nil else {
            throw ValidationError("--create-vn-key \(Text.printable(createVNKey, limit: 24)) is not one of \(VNKey.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .info
            return h
        }
        var config = SimulatorConfig()
        config.accountSID = accountSID
        config.apiKey = apiKey
        config.apiToken = apiToken
        config.statePath = state
        config.numbersPerRegionAndType = poolSize
        config.defaultDurationSeconds = defaultDuration
        config.seed = seed
        config.faults = FaultRates(latencyMs: latencyMs, errorRate: errorRate, throttleRate: throttleRate,
                                   malformedRate: 0, emptyRate: 0, dropRate: dropRate)
        config.webhooks = webhookURL.map { WebhookEndpoints(all: $0.trimmingCharacters(in: .whitespaces)) }
        config.callsPerMinute = callsPerMinute
        config.createVNKey = VNKey(rawValue: createVNKey) ?? .greenVN
        let sim = try Simulator(config: config, logger: Logger(label: "greenvn.simulator"))
        let shownHost = host
        let (sid, key, hooks) = (config.accountSID, config.apiKey, webhookURL != nil)
        try await sim.run(host: host, port: port) { bound in
            Output.line("Lead Assist simulator listening on http://\(shownHost):\(bound)/v1")
            Output.line("  GREENVN_BASE_URL=http://\(shownHost):\(bound)/v1 EXOTEL_ACCOUNT_SID=\(sid) EXOTEL_API_KEY=\(key) EXOTEL_API_TOKEN=\(apiToken)")
            if hooks { Output.line("  webhooks: every event goes to the --webhook-url; GET /_sim/webhooks shows how each delivery went") }
        }
    }
}
