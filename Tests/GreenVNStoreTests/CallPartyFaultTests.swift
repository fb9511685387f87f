import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing
@testable import GreenVNStore

/// The fault matrix's call-party row. There is no CLI verb for it (the console's party dialog
/// calls `Operations.updateParties`), so it runs here: the real client over loopback against the
/// simulator, every fault as a blip (first attempt) and as an outage (every attempt). Each cell:
/// the error class the CLI would map to exit 3 (or success), and the registry equal to the server.
@Suite struct CallPartyFaults {
    enum Mode: String, CaseIterable, Sendable { case blip, outage }

    struct Cell: Sendable, CustomTestStringConvertible {
        var fault: Fault
        var mode: Mode
        var testDescription: String { "call-party × \(fault.name)\(Self.detail(fault)) × \(mode.rawValue)" }
        static func detail(_ f: Fault) -> String {
            switch f {
            case .status(let s): return " \(s)"
            case .throttle(let s): return " Retry-After \(s)s"
            case .stall(let s): return " \(Int(s))s"
            default: return ""
            }
        }
        var acts: Bool { fault == .dropAfterActing || fault == .htmlAfterActing }
        /// Carried out, or settled by asking the server after every answer was lost.
        var succeeds: Bool { mode == .blip || acts }
    }

    static let attempts = 3
    /// Short enough to keep the matrix quick, long enough that a loaded CI machine answers in time.
    static let timeout = 2.0
    static let stall = 4.0
    static let faults: [Fault] = [.throttle(retryAfterSeconds: 1), .status(500), .status(502), .status(503), .html,
                                  .htmlAfterActing, .empty, .dropBeforeActing, .dropAfterActing, .stall(seconds: stall)]
    static let cells = faults.flatMap { f in Mode.allCases.map { Cell(fault: f, mode: $0) } }

    @Test(arguments: Backend.all, cells)
    func cell(_ backend: Backend, _ cell: Cell) async throws {
        let db = try TestDB(backend)
        let sim = try Simulator(config: SimulatorConfig())
        try await sim.start()
        var settings = sim.settings
        settings.timeoutSeconds = Self.timeout
        let client = LeadAssistClient(settings: settings, retry: RetryPolicy(maxAttempts: Self.attempts, baseDelay: 0.02, maxDelay: 0.1))
        let registry = db.registry
        let ops = Operations(api: client, registry: registry)

        // The allocation to update, made without faults and with the default patience.
        let setup = Operations(api: LeadAssistClient(settings: sim.settings), registry: registry)
        let made = try await setup.allocate(Fixture.request("party-" + UUID().uuidString.prefix(8), a: ["+919876543210"], b: ["+918765432109"]))
        let id = made.allocation.greenvnId
        let update = PartyUpdate(bparty: Party.Change(numbers: ["+918000000001", "+918000000002"]), usage: .oneway)

        let count = cell.mode == .outage ? Self.attempts : 1
        sim.inject(cell.fault, on: .callParty, count: count)
        let started = Date()
        var thrown: Error?
        do { _ = try await ops.updateParties(id, update) } catch { thrown = error }
        let elapsed = Date().timeIntervalSince(started)

        if cell.succeeds {
            #expect(thrown == nil, "\(cell.testDescription): \(String(describing: thrown))")
        } else {
            let e = try #require(thrown as? GreenVNError, "\(cell.testDescription): a typed error")
            #expect(e.exitCode == 3, "\(cell.testDescription): \(e)")
            let text = e.description.lowercased()
            #expect(text.contains("retry") || text.contains("try again"), "a next step: \(e)")
        }
        if case .throttle(let s) = cell.fault {
            let retried = cell.mode == .outage ? Self.attempts - 1 : 1
            #expect(elapsed >= Double(s * retried) - 0.05, "Retry-After honoured: \(elapsed)s")
        }
        if case .stall = cell.fault { try await Task.sleep(for: .seconds(Self.stall - Self.timeout + 0.5)) }

        // The server did it iff we say so, and the registry says what the server holds.
        let server = try #require(try sim.allAllocations().first { $0.greenvnId == id })
        let changed = server.bparty.numbers == update.bparty.numbers! && server.usage == .oneway
        #expect(changed == cell.succeeds, "\(cell.testDescription): server parties \(server.bparty.numbers) \(server.usage)")
        #expect(server.bparty.numbers == update.bparty.numbers! || server.bparty.numbers == ["+918765432109"], "all or nothing")
        let known = try #require(try registry.allocation(id: id))
        #expect(known.allocation == server, "\(cell.testDescription): registry \(known.allocation) vs server \(server)")
        #expect(try sim.allAllocations().count == 1)
        let faulted = min(count, sim.requestCount(.callParty))
        #expect(faulted >= 1, "the fault was met")
        print("FAULT-MATRIX \(cell.testDescription): \(thrown == nil ? "ok" : "exit 3") in \(String(format: "%.1f", elapsed))s; faults met \(faulted)")
        await sim.stop()
    }
}
