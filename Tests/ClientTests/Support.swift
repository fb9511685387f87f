import Foundation
import GreenVNKit
import GreenVNSimulator

/// A simulator on an ephemeral loopback port and a client pointed at it, with short timeouts
/// and a quick retry schedule so fault tests finish fast.
struct Bench {
    let sim: Simulator
    let client: LeadAssistClient

    static func start(timeout: Double = 5, attempts: Int = 4, config: SimulatorConfig = SimulatorConfig()) async throws -> Bench {
        let sim = try Simulator(config: config)
        try await sim.start()
        var settings = sim.settings
        settings.timeoutSeconds = timeout
        let client = LeadAssistClient(settings: settings, retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.02, maxDelay: 0.1))
        return Bench(sim: sim, client: client)
    }

    func stop() async { await sim.stop() }
}

func request(_ cid: String = "cid-\(UUID().uuidString.prefix(8))", a: String = "+919176226528", b: String = "+918136966620") -> AllocationRequest {
    AllocationRequest(connectionId: cid, aparty: Party([a]), bparty: Party([b]), usage: .twoway)
}

/// Runs `body` against a fresh bench and always stops the server.
func withBench(timeout: Double = 5, attempts: Int = 4, config: SimulatorConfig = SimulatorConfig(), _ body: (Bench) async throws -> Void) async throws {
    let bench = try await Bench.start(timeout: timeout, attempts: attempts, config: config)
    do { try await body(bench) } catch { await bench.stop(); throw error }
    await bench.stop()
}

/// The error a throwing call ended with, or nil when it succeeded.
func failure<T>(_ body: () async throws -> T) async -> GreenVNError? {
    do { _ = try await body(); return nil } catch let e as GreenVNError { return e } catch { return .network("unexpected \(error)") }
}
