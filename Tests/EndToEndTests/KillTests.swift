import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

/// The machine misbehaves: `kill -9` of greenvn in the middle of work. After a restart the
/// outbox reconciles and the registry equals the server — nothing lost, nothing doubled.
@Suite(.serialized) struct Kill {
    static let rows = 1_000

    static func csv(_ n: Int, prefix: String) -> String {
        var lines = ["connection_id,aparty_numbers,bparty_numbers,usage"]
        for i in 0..<n {
            lines.append("\(prefix)-\(String(format: "%04d", i)),+9198\(String(format: "%08d", i)),+9188\(String(format: "%08d", i)),\(i % 2 == 0 ? "twoway" : "oneway")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs blocking work (tmux waits, /proc reads) on a thread of its own, so the in-process
    /// simulator always has cooperative threads to answer with.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try body() }) }.start()
        }
    }

    @Test func killNineMidBulkImportThenRestartLosesNothing() async throws {
        var config = SimulatorConfig()
        config.numbersPerRegionAndType = 50                  // 11 regions × 2 types × 50 = 1,100 VNs
        config.faults = FaultRates(latencyMs: 40)            // a slow server: the kill lands mid-run
        let sim = try Simulator(config: config)
        try await sim.start()
        let home = Binary.tempHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = Binary.apiEnvironment(home: home, settings: sim.settings)
        let file = home + "/leads.csv"
        try Self.csv(Self.rows, prefix: "kb").write(toFile: file, atomically: true, encoding: .utf8)

        let bulk = try Spawned(["bulk", file, "--concurrency", "8"], env: env)
        let midway = await waitUntil(90) { sim.requestCount(.create) >= Self.rows / 4 || !bulk.isRunning }
        bulk.kill9()
        let killed = await bulk.wait()
        try #require(midway && killed.status == 128 + SIGKILL, "killed by SIGKILL mid-run: \(killed.status) \(killed.stderr)")
        try await Task.sleep(for: .milliseconds(500))       // requests in flight at the kill land (or not) on the server
        let atKill = try sim.allAllocations()
        try #require(atKill.count < Self.rows, "the kill landed before the end (\(atKill.count) allocated)")

        // Even a dead process's registry accounts for everything the server did: each allocation
        // is known or has its outbox entry (written durably before it was sent).
        let dead = try await Parity.expectEqual(env: env, server: atKill, strict: false, "right after kill -9")

        // Restart: any command that talks to Lead Assist reconciles the outbox first.
        let anyKnown = try await Parity.registry(env: env).known.first?["greenvn_id"]?.stringValue
        let restart = try await Binary.runAsync(["show", try #require(anyKnown), "--json"], env: env)
        #expect(restart.status == 0, "\(restart.stderr)")
        let afterRestart = try sim.allAllocations()
        let reconciled = try await Parity.expectEqual(env: env, server: afterRestart, strict: false, "after the restart")
        #expect(reconciled.pending.isEmpty, "every create the kill interrupted is settled: \(reconciled)")
        // Exactly the interrupted creates the server had not carried out were allocated now; the
        // ones it had carried out became "allocated, id unknown" (code 18), never a second one.
        let carriedOut = Set(atKill.map(\.connectionId))
        #expect(afterRestart.count == atKill.count + Set(dead.pending).subtracting(carriedOut).count, "\(reconciled)")
        #expect(Set(reconciled.idUnknown) == Set(dead.pending).intersection(carriedOut), "\(reconciled)")

        // The rerun of the same file finishes the rest and allocates nothing twice.
        let rerun = try await Binary.runAsync(["bulk", file, "--concurrency", "8"], env: env)
        #expect(rerun.status == 0, "\(rerun.stderr)\n\(rerun.stdout)")
        let settledRows = reconciled.known + reconciled.idUnknown.count
        #expect(rerun.stdout.contains("\(Self.rows - settledRows) allocated, \(settledRows) already known, 0 refused, 0 invalid"), "\(rerun.stdout)")

        // Allocations whose answer died with the process: the operator imports them by id.
        var server = try sim.allAllocations()
        for cid in reconciled.idUnknown {
            let real = try #require(server.first { $0.connectionId == cid })
            let r = try await Binary.runAsync(["import", real.greenvnId], env: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        server = try sim.allAllocations()
        let final = try await Parity.expectEqual(env: env, server: server, strict: true, "finally")
        #expect(server.count == Self.rows && final.known == Self.rows, "\(final)")
        #expect(Set(server.map(\.connectionId)).count == Self.rows, "one allocation per row")
        print("KILL-BULK: killed at \(atKill.count)/\(Self.rows) on the server (registry: \(dead.known) known, \(dead.pending.count) pending); restart reconciled to \(reconciled.known) known + \(reconciled.idUnknown.count) id-unknown; rerun allocated \(Self.rows - settledRows); imported \(reconciled.idUnknown.count); final \(final)")
        await sim.stop()
    }

    @Test func killNineDuringATUIAllocationThenRestartLosesNothing() async throws {
        let sim = try Simulator(config: SimulatorConfig())
        try await sim.start()
        let home = Binary.tempHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = Binary.apiEnvironment(home: home, settings: sim.settings)
        sim.inject(.stall(seconds: 120), on: .create, count: 1)    // the create hangs at the server

        let first = try Pane(home: home, env: env)
        try await Self.offPool { try first.allocateThroughTheForm(a: "9876543210", b: "+91 87654 32109") }
        #expect(await waitUntil(30) { sim.requestCount(.create) == 1 }, "the create reached the server")
        let pid = try await Self.offPool { try first.consolePid() }
        kill(pid, SIGKILL)
        _ = try await Self.offPool { try first.waitFor("[exit 137]") }

        // The dead console's create is in the outbox, shown as pending; the server did nothing.
        let atKill = try sim.allAllocations()
        let dead = try await Parity.expectEqual(env: env, server: atKill, strict: false, "right after kill -9")
        #expect(dead.pending.count + dead.idUnknown.count + dead.known == 1, "the create is remembered: \(dead)")

        // Restart the console: it reconciles on start and shows the allocation.
        let second = try Pane(home: home, env: env)
        #expect(await waitUntil(30) { (try? sim.allAllocations().count) == 1 }, "re-sent with the same connection_id")
        let server = try sim.allAllocations()
        let vn = try #require(server.first?.greenVN)
        _ = try await Self.offPool { try second.waitFor(vn) }
        _ = try await Self.offPool { try second.waitFor("+919876543210") }
        let final = try await Parity.expectEqual(env: env, server: server, strict: true, "after the restart")
        #expect(final.known == 1 && server.count == 1, "\(final)")
        if let pending = dead.pending.first { #expect(server.first?.connectionId == pending, "the same connection_id") }
        print("KILL-TUI: at kill \(dead); after restart \(final)")
        try? await Self.offPool { try second.type("q") }
        await sim.stop()
    }
}
