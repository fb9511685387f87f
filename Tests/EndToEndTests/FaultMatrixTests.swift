import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

/// Every CLI call × every fault the simulator injects × (a blip: the first attempt only | an
/// outage: every attempt of the command), through the real binary against an in-process
/// simulator. Each cell: the exit code the contract promises, no crash, a message that says what
/// to do next, and afterwards the registry equal to the server — 0 lost, 0 doubled.
/// (call-party has no CLI verb: `GreenVNStoreTests/CallPartyFaultTests` covers it through
/// `Operations`, the layer the console's party dialog uses.)
@Suite struct FaultMatrix {
    enum Call: String, CaseIterable, Sendable {
        case create, details, swap, deallocate
        var kind: CallKind {
            switch self {
            case .create: return .create
            case .details: return .details
            case .swap: return .swap
            case .deallocate: return .deallocate
            }
        }
    }

    enum Mode: String, CaseIterable, Sendable {
        /// The fault hits the first attempt only: the retry must absorb it.
        case blip
        /// The fault hits every attempt the command makes: it must give up cleanly.
        case outage
    }

    struct Cell: Sendable, CustomTestStringConvertible {
        var call: Call
        var fault: Fault
        var mode: Mode
        var testDescription: String { "\(call.rawValue) × \(FaultMatrix.label(fault)) × \(mode.rawValue)" }

        /// The server carries the call out and the answer is lost.
        var acts: Bool { fault == .dropAfterActing || fault == .htmlAfterActing }
        var isStall: Bool { if case .stall = fault { return true } else { return false } }
        var count: Int { mode == .outage ? FaultMatrix.attempts : 1 }

        /// What the contract promises.
        var expectedExit: Int32 {
            switch (call, mode) {
            case (.create, .blip): return acts ? 1 : 0          // "allocated, response lost" is a refusal-class answer
            case (.create, .outage), (.details, .outage): return 3
            case (.swap, .outage), (.deallocate, .outage): return acts ? 0 : 3   // settled by asking the server
            case (_, .blip): return 0
            }
        }
    }

    static let attempts = 3
    /// Short enough to keep 80 cells quick, long enough that a loaded CI machine answers in time.
    static let timeoutSeconds = 2
    static let stallSeconds = 4.0
    static let faults: [Fault] = [
        .throttle(retryAfterSeconds: 1), .status(500), .status(502), .status(503), .html, .htmlAfterActing,
        .empty, .dropBeforeActing, .dropAfterActing, .stall(seconds: stallSeconds),
    ]
    static let cells: [Cell] = Call.allCases.flatMap { call in
        faults.flatMap { fault in Mode.allCases.map { Cell(call: call, fault: fault, mode: $0) } }
    }
    static let gate = Gate(4)
    static let knobs = ["GREENVN_TIMEOUT_SECONDS": "\(timeoutSeconds)", "GREENVN_MAX_ATTEMPTS": "\(attempts)",
                        "GREENVN_RETRY_BASE_SECONDS": "0.05"]

    static func label(_ f: Fault) -> String {
        switch f {
        case .status(let s): return "HTTP \(s)"
        case .throttle(let s): return "429 Retry-After \(s)s"
        case .stall(let s): return "stall \(Int(s))s"
        default: return f.name
        }
    }

    /// Phrases that tell an operator what to do next.
    static let nextSteps = ["retry", "try again", "greenvn import", "greenvn show", "greenvn list", "next:", "re-sen"]

    @Test(arguments: cells)
    func cell(_ cell: Cell) async throws {
        try await Self.gate.run { try await Self.check(cell) }
    }

    static func check(_ cell: Cell) async throws {
        let sim = try Simulator(config: SimulatorConfig())
        try await sim.start()
        defer { Task { await sim.stop() } }
        let home = Binary.tempHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = Binary.apiEnvironment(home: home, settings: sim.settings, extra: knobs)

        // An allocation the registry knows: the target of details/swap/deallocate, a bystander for
        // create. Made before any fault, with the default timeout and retries.
        let setup = try await Binary.runAsync(["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway",
                                               "--connection-id", "target-1", "--json"],
                                              env: Binary.apiEnvironment(home: home, settings: sim.settings))
        try #require(setup.status == 0, "setup: \(setup.stderr)")
        let target = try JSONValue.parse(Data(setup.stdout.utf8))
        let id = try #require(target["greenvn_id"]?.stringValue)
        let vn = try #require(target["green_vn"]?.stringValue)

        let cid = "cell-new-1"
        let args: [String]
        switch cell.call {
        case .create: args = ["allocate", "--a", "+919111111111", "--b", "+918222222222", "--usage", "oneway", "--connection-id", cid, "--json"]
        case .details: args = ["show", id, "--json"]
        case .swap: args = ["swap", id, "--json"]
        case .deallocate: args = ["deallocate", id, "--yes", "--json"]
        }
        let before = sim.requestCount(cell.call.kind)
        sim.inject(cell.fault, on: cell.call.kind, count: cell.count)
        let started = Date()
        let r = try await Binary.runAsync(args, env: env)
        let elapsed = Date().timeIntervalSince(started)
        let faulted = min(cell.count, sim.requestCount(cell.call.kind) - before)   // faults actually met
        #expect(faulted >= 1, "the fault was met")
        let what = "\(cell.testDescription): exit \(r.status)\nstderr: \(r.stderr)\nstdout: \(r.stdout)"

        // 1. The exit code the contract promises; never a crash.
        #expect(r.status == cell.expectedExit, "expected exit \(cell.expectedExit) — \(what)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), "\(what)")
        if r.status == 0 {
            #expect((try? JSONValue.parse(Data(r.stdout.utf8)))?["greenvn_id"] != nil, "--json prints the allocation — \(what)")
        } else {
            // 2. A clear message: on stderr, one line per problem, and a next step.
            #expect(r.stdout.isEmpty, "nothing on stdout on failure — \(what)")
            let lower = r.stderr.lowercased()
            #expect(r.stderr.hasPrefix("greenvn: ") && nextSteps.contains { lower.contains($0) }, "a next step — \(what)")
            if cell.call == .create {
                // The operator must learn the create is not lost and is never sent twice.
                #expect(r.stderr.contains(cid), "the message names the connection_id — \(what)")
            }
        }
        // Retry-After is honoured (a lower bound, so never flaky).
        if case .throttle(let s) = cell.fault {
            let retried = cell.mode == .outage ? attempts - 1 : 1
            #expect(elapsed >= Double(s * retried) - 0.05, "waited \(elapsed)s for \(retried) Retry-After of \(s)s")
        }
        // A stalled request the client hung up on must not act later behind our back: wait past
        // the moment it would have.
        if cell.isStall, cell.call != .details { try await Task.sleep(for: .seconds(stallSeconds - Double(timeoutSeconds) + 0.5)) }

        // 3. What the server did is what the registry says.
        let server = try sim.allAllocations()
        let mine = server.first { $0.greenvnId == id }
        switch cell.call {
        case .create:
            let made = server.filter { $0.connectionId == cid }
            if cell.isStall { #expect(made.count <= 1, "never twice") }
            else { #expect(made.count == (cell.acts || r.status == 0 ? 1 : 0), "server holds \(made.count) for \(cid) — \(what)") }
        case .details:
            #expect(mine?.greenVN == vn && mine?.state == .active, "a GET changes nothing")
        case .swap:
            if r.status == 0 { #expect(mine?.greenVN != vn, "swapped") } else { #expect(mine?.greenVN == vn, "not swapped") }
        case .deallocate:
            #expect(mine?.state == (r.status == 0 ? .vault : .active), "deallocated iff exit 0 — \(what)")
        }
        let after = try await Parity.expectEqual(env: env, server: server, strict: cell.call != .create, "right after \(cell.testDescription)")
        if cell.call == .create {
            if r.status == 3 { #expect(after.pending == [cid], "the create waits in the outbox — \(after)") }
            if r.status == 1 { #expect(after.idUnknown == [cid], "allocated, id unknown — \(after)") }
            if r.status == 0 { #expect(after.pending.isEmpty && after.idUnknown.isEmpty) }
        }

        guard cell.call == .create else {
            // Nothing of these calls waits for a later run: the strict comparison above is final.
            #expect(server.count == 1, "nothing doubled, nothing lost")
            print("FAULT-MATRIX \(cell.testDescription): exit \(r.status) in \(String(format: "%.1f", elapsed))s; faults met \(faulted); final \(after)")
            return
        }

        // 4. The network heals; the next command (any that talks to Lead Assist) reconciles.
        sim.clearFaults()
        let next = try await Binary.runAsync(["show", id, "--json"], env: env)
        #expect(next.status == 0, "the next run works — \(next.stderr)")
        var final = try sim.allAllocations()
        var report = try await Parity.expectEqual(env: env, server: final, strict: false, "after the next run")
        #expect(report.pending.isEmpty, "no create is left pending once the server answers — \(report)")
        if !report.idUnknown.isEmpty {
            // An allocation whose answer was lost for good is settled the documented way.
            for lost in report.idUnknown {
                let real = try #require(final.first { $0.connectionId == lost })
                let imported = try await Binary.runAsync(["import", real.greenvnId, "--json"], env: env)
                #expect(imported.status == 0, "import settles \(lost) — \(imported.stderr)")
            }
            final = try sim.allAllocations()
        }
        if !report.idUnknown.isEmpty || !report.pending.isEmpty {
            report = try await Parity.expectEqual(env: env, server: final, strict: true, "finally")
        }   // else the comparison above found no unsettled row: it was already the strict one
        #expect(report.problems.isEmpty && report.known == final.count, "every allocation known by its id: \(report)")
        #expect(final.count == 2, "nothing doubled, nothing lost: \(report)")
        print("FAULT-MATRIX \(cell.testDescription): exit \(r.status) in \(String(format: "%.1f", elapsed))s; faults met \(faulted); final \(report)")
    }
}
