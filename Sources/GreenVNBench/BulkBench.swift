import Foundation
import GreenVNKit
import GreenVNSimulator
import GreenVNStore

/// `greenvn bulk` without the process around it: the simulator in this process on a loopback
/// port, the real HTTP client, Operations (outbox → API → registry) and BulkImport.
enum BulkBench {
    static func csv(rows: Int, seed: UInt64) -> Data {
        var rng = SplitMix64(seed: seed)
        func mobile() -> String { "+91" + String(6 + rng.below(4)) + rng.digits(9) }
        let regions = ["", "", "", "KA", "DL", "MH", "TN"]
        var lines = ["connection_id,aparty_numbers,bparty_numbers,usage,aparty_pins,region,type,duration"]
        lines.reserveCapacity(rows + 1)
        for i in 0..<rows {
            let a = (0..<(rng.chance(80) ? 1 : 2)).map { _ in mobile() }.joined(separator: ";")
            let b = (0..<(rng.chance(70) ? 1 : 2)).map { _ in mobile() }.joined(separator: ";")
            let usage = rng.chance(70) ? "twoway" : "oneway"
            let pin = rng.chance(10) ? String(1000 + rng.below(9000)) : ""
            let region = regions[rng.below(regions.count)]
            let type = rng.chance(15) ? "mobile" : ""
            let duration = ["", "1h", "2h", "7d", "30m"][rng.below(5)]
            lines.append("bulk-\(seed)-\(i),\(a),\(b),\(usage),\(pin),\(region),\(type),\(duration)")
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    static func run(rows: Int, concurrency: [Int], perRegionAndType: Int, dir: String) async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        print("\n## bulk import against the simulator, \(grouped(rows)) rows")
        for c in concurrency {
            let stamp = UInt64(Date().timeIntervalSince1970 * 1000)
            var config = SimulatorConfig()
            config.numbersPerRegionAndType = perRegionAndType
            config.statePath = "\(dir)/sim-\(stamp).sqlite"
            var sim: Simulator!
            let poolMs = try timeMs { sim = try Simulator(config: config) }
            try await sim.start()
            let registryPath = "\(dir)/bulk-registry-\(stamp).sqlite"
            let registry = try SQLiteRegistry(path: registryPath)
            let ops = Operations(api: LeadAssistClient(settings: sim.settings), registry: registry)
            let parsed = BulkImport.parse(csv: csv(rows: rows, seed: stamp))
            guard parsed.invalid.isEmpty else { fail("the generated CSV has invalid rows: \(parsed.invalid.prefix(3))") }
            // The API alone first (same simulator, other connection_ids): what the registry adds
            // on top is the difference.
            var cpu = processCPUMs()
            let apiRate = try await apiOnly(parsed.rows.prefix(rows / 5).map(\.request), client: LeadAssistClient(settings: sim.settings),
                                            concurrency: c)
            report("  API alone (client → simulator, \(grouped(rows / 5)) creates)",
                   "\(grouped(Int(apiRate))) creates/s, CPU \(ms((processCPUMs() - cpu) / Double(rows / 5))) each")
            cpu = processCPUMs()
            // The registry alone (an API that answers at once): what the exactly-once path costs.
            let instant = Operations(api: InstantAPI(), registry: try SQLiteRegistry(path: registryPath + "-instant"))
            let ti = nowNs()
            let alone = await BulkImport.run(rows: Array(parsed.rows.prefix(rows / 5)), operations: instant, concurrency: c)
            report("  registry alone (instant API, \(grouped(rows / 5)) rows)",
                   "\(grouped(Int(Double(alone.allocated) / (Double(nowNs() - ti) / 1e9)))) allocations/s, CPU \(ms((processCPUMs() - cpu) / Double(rows / 5))) each")
            cpu = processCPUMs()
            let t = nowNs()
            let result = await BulkImport.run(rows: parsed.rows, operations: ops, concurrency: c)
            let seconds = Double(nowNs() - t) / 1e9
            let rate = Double(result.allocated) / seconds
            report("bulk \(grouped(rows)) rows, concurrency \(c)",
                   "\(grouped(Int(rate))) allocations/s (\(String(format: "%.2f", seconds)) s)",
                   target: "≥ 2,000/s", ok: rate >= 2_000)
            report("  CPU per allocation (client, simulator, registry; 2 cores)", ms((processCPUMs() - cpu) / Double(max(1, result.allocated))))
            report("  pool of \(grouped(sim.poolNumbers.count)) VNs built in", ms(poolMs))
            if result.allocated != rows {
                report("  NOT ALL ALLOCATED", "allocated \(result.allocated), refused \(result.refused.count), pending \(result.pending.count), idUnknown \(result.idUnknown.count)")
                if let r = result.refused.first { report("  first refusal", r.message) }
                if let p = result.pending.first { report("  first pending", p.message) }
            }
            let m = memory()
            report("  RSS after the import (VmRSS / VmHWM)", String(format: "%.1f MiB / %.1f MiB", m.rss, m.hwm))
            await sim.stop()
            for p in [registryPath, registryPath + "-instant", config.statePath!] {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + suffix) }
            }
        }
    }

    /// Creates straight through the client, `concurrency` in flight; creates per second.
    static func apiOnly(_ valid: [AllocationRequest], client: LeadAssistClient, concurrency: Int) async throws -> Double {
        let requests: [AllocationRequest] = valid.map { v in
            var r = v
            r.connectionId = "api-" + r.connectionId
            return r
        }
        let t = nowNs()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(concurrency, requests.count) {
                let r = requests[next]; next += 1
                group.addTask { _ = try await client.create(r) }
            }
            while try await group.next() != nil {
                if next < requests.count {
                    let r = requests[next]; next += 1
                    group.addTask { _ = try await client.create(r) }
                }
            }
        }
        return Double(requests.count) / (Double(nowNs() - t) / 1e9)
    }
}

/// Answers every create at once with a fresh id and a made-up VN (no HTTP, no simulator).
struct InstantAPI: LeadAssistAPI {
    private static let counter = Counter()

    func create(_ r: AllocationRequest) async throws -> Allocation {
        Allocation(greenvnId: UUID().uuidString.lowercased(), connectionId: r.connectionId, aparty: r.aparty,
                   bparty: r.bparty, usage: r.usage,
                   state: .active, greenVN: "+9170" + String(10_000_000 + Self.counter.next()))
    }
    func details(_ id: String) async throws -> Allocation { throw GreenVNError.configuration("not in the bench") }
    func swap(_ id: String, _ r: SwapRequest, knownVN: String?) async throws -> Allocation { throw GreenVNError.configuration("not in the bench") }
    func updateParties(_ id: String, _ u: PartyUpdate) async throws -> Allocation { throw GreenVNError.configuration("not in the bench") }
    func deallocate(_ id: String) async throws -> Allocation { throw GreenVNError.configuration("not in the bench") }
    func settings() async throws -> AccountSettings { throw GreenVNError.configuration("not in the bench") }
    func updateSettings(_ s: AccountSettings) async throws -> AccountSettings { throw GreenVNError.configuration("not in the bench") }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.withLock { n += 1; return n } }
}
