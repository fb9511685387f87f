import Foundation
import GRDB
import GreenVNKit
import GreenVNSimulator
import Testing
@testable import GreenVNStore

/// Measurements, not part of the normal run: GREENVN_PERF=1 swift test --filter Performance.
/// Printed figures go into the commit message / report; the thresholds only catch regressions
/// by an order of magnitude on a shared 2-core machine.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["GREENVN_PERF"] != nil))
struct PerformanceTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t = Date()
        try body()
        return Date().timeIntervalSince(t)
    }

    static func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }

    @Test func bulkOf10kAgainstTheSimulator() async throws {
        var config = SimulatorConfig()
        config.numbersPerRegionAndType = 1_000
        let sim = try Simulator(config: config)
        try await sim.start()
        let dir = TempDir()
        let ops = Operations(api: LeadAssistClient(settings: sim.settings), registry: try Registry(path: dir.registryPath))
        let data = SimulatorTests.csv(10_000, prefix: "perf")
        let t = Date()
        let report = await BulkImport.run(csv: data, operations: ops, concurrency: 32)
        let elapsed = Date().timeIntervalSince(t)
        print("PERF bulk 10k: \(report.allocated) allocated in \(String(format: "%.2f", elapsed)) s = \(Int(Double(report.allocated) / elapsed))/s")
        #expect(report.allocated == 10_000)
        await sim.stop()
    }

    @Test func registryAtOneMillionRows() async throws {
        let dir = TempDir()
        let r = try Registry(path: dir.registryPath)
        let n = Int(ProcessInfo.processInfo.environment["GREENVN_PERF_ROWS"] ?? "") ?? 1_000_000
        let t0 = Fixture.t0
        // load in batches of 10k per transaction (the loader, not the product's write path)
        let load = try Self.seconds {
            var i = 0
            while i < n {
                try r.write { db in
                    for j in i..<min(n, i + 10_000) {
                        let a = Fixture.allocation(String(format: "id-%08d", j), cid: "load-\(j)", vn: "+9170\(String(format: "%08d", (j * 7919) % 100_000_000))",
                                                   a: ["+9198\(String(format: "%08d", j))"], b: ["+9188\(String(format: "%08d", j))"],
                                                   usage: j % 2 == 0 ? .twoway : .oneway, state: j % 10 == 0 ? .vault : .active)
                        try AllocationRows.remember(db, a, how: "allocate", request: Fixture.request("load-\(j)", duration: j % 3 == 0 ? "1h" : "7d"),
                                                    now: t0.addingTimeInterval(Double(j)))
                    }
                }
                i += 10_000
            }
        }
        print("PERF load \(n) rows in batches: \(String(format: "%.1f", load)) s = \(Int(Double(n) / load)) rows/s")

        // the product's write path: one transaction per remember (what allocate's commit does)
        let singles = 2_000
        let single = try Self.seconds {
            for j in 0..<singles {
                try r.remember(Fixture.allocation("single-\(j)", cid: "single-\(j)", vn: "+917099\(String(format: "%06d", j))"),
                               how: "allocate", request: Fixture.request("single-\(j)"), now: t0.addingTimeInterval(Double(n + j)))
            }
        }
        print("PERF remember at \(n) rows, one transaction each: \(Int(Double(singles) / single))/s")
        let ops = Operations(api: FakeAPI(), registry: r)
        let allocs = 2_000
        let allocTime = try await {
            let t = Date()
            for j in 0..<allocs { _ = try await ops.allocate(Fixture.request("fake-\(j)", a: ["+9197\(String(format: "%08d", j))"])) }
            return Date().timeIntervalSince(t)
        }()
        print("PERF allocate (outbox + commit, fake API) at \(n) rows: \(Int(Double(allocs) / allocTime))/s")

        let now = t0.addingTimeInterval(Double(n) / 2 + 3_600)     // about half the 1h ones expired
        var figures: [String] = []
        func time(_ label: String, _ body: () throws -> Void) rethrows {
            _ = try Self.seconds(body)                              // warm
            let s = try Self.seconds(body)
            figures.append("\(label): \(Self.ms(s))")
        }
        try time("counts") { _ = try r.counts(now: now) }
        for state in StateFilter.allCases {
            try time("count \(state)") { _ = try r.count(ListQuery(state: state), now: now) }
            for sort in SortColumn.allCases {
                try time("page 0 \(state) by \(sort)") { _ = try r.page(ListQuery(state: state, sort: sort), offset: 0, limit: 50, now: now) }
            }
            try time("page deep (offset 500k) \(state)") { _ = try r.page(ListQuery(state: state), offset: n / 2, limit: 50, now: now) }
        }
        try time("filter count (rare term)") { _ = try r.count(ListQuery(state: .all, filter: "+919800012345"), now: now) }
        try time("filter page (rare term)") { _ = try r.page(ListQuery(state: .all, filter: "+919800012345"), offset: 0, limit: 50, now: now) }
        try time("filter page (common term)") { _ = try r.page(ListQuery(state: .all, filter: "+9198"), offset: 0, limit: 50, now: now) }
        try time("index(of:) mid") { _ = try r.index(of: String(format: "id-%08d", n / 2 + 1), in: ListQuery(state: .all), now: now) }
        try time("allocation(connectionId:)") { _ = try r.allocation(connectionId: "load-\(n / 3)") }
        for f in figures { print("PERF \(n) rows: \(f)") }
        let size = (try FileManager.default.attributesOfItem(atPath: dir.registryPath)[.size] as? Int) ?? 0
        print("PERF file size at \(n) rows: \(size / 1_048_576) MiB")
    }
}
