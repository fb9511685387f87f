import Foundation
import GRDB
import GreenVNKit
import GreenVNSimulator
import Testing
@testable import GreenVNStore

/// Measurements, not part of the normal run:
///   GREENVN_PERF=1 [GREENVN_PERF_ROWS=1000000] swift test --filter GreenVNStoreTests.PerformanceTests
/// The figures are printed ("PERF …") and never asserted: timing targets live in
/// `greenvn-bench` and BENCHMARKS.md; the expectations here check behaviour only.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["GREENVN_PERF"] != nil))
struct PerformanceTests {
    static let rows = Int(ProcessInfo.processInfo.environment["GREENVN_PERF_ROWS"] ?? "") ?? 1_000_000

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t = Date()
        try body()
        return Date().timeIntervalSince(t)
    }

    static func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }

    /// `n` rows created `stepMs` apart from `t0`, living `lifeMs`, one in `vaultEvery` deallocated,
    /// inserted by SQLite itself (the product's write path is measured separately).
    static func load(_ r: Registry, n: Int, t0: Date, stepMs: Int64, lifeMs: Int64, vaultEvery: Int) throws {
        try r.write { db in
            try db.execute(sql: """
                WITH RECURSIVE seq(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM seq WHERE j < ? - 1)
                INSERT INTO allocation (greenvn_id, connection_id, aparty_numbers, bparty_numbers, usage, state, green_vn,
                                        duration, created_at, updated_at, last_synced_at, expires_at, status, search)
                SELECT printf('id-%08d', j), printf('load-%d', j), printf('["+9198%08d"]', j), printf('["+9188%08d"]', j),
                       CASE j % 2 WHEN 0 THEN 'twoway' ELSE 'oneway' END,
                       CASE WHEN j % ? = 0 THEN 'vault' ELSE 'active' END,
                       printf('+9170%08d', (j * 7919) % 100000000), '1d',
                       ? + j * ?, ? + j * ?, ? + j * ?, ? + j * ? + ?, 'known',
                       printf('+9170%08d id-%08d load-%d +9198%08d +9188%08d', (j * 7919) % 100000000, j, j, j, j)
                FROM seq
                """, arguments: [n, vaultEvery, Millis.from(t0), stepMs, Millis.from(t0), stepMs, Millis.from(t0), stepMs,
                                 Millis.from(t0), stepMs, lifeMs])
        }
    }

    static func measureQueries(_ r: Registry, n: Int, now: Date, label: String) throws {
        var figures: [String] = []
        func time(_ what: String, _ body: () throws -> Void) rethrows {
            _ = try seconds(body)                                    // warm the cache
            figures.append("\(what): \(ms(try seconds(body)))")
        }
        let c = try r.counts(now: now)
        figures.append("tabs: active \(c.active), vault \(c.vault)")
        try time("counts") { _ = try r.counts(now: now) }
        for state in StateFilter.allCases {
            try time("count \(state)") { _ = try r.count(ListQuery(state: state), now: now) }
            for sort in SortColumn.allCases {
                for desc in [true, false] {
                    try time("page 0 \(state) by \(sort)\(desc ? "↓" : "↑")") {
                        _ = try r.page(ListQuery(state: state, sort: sort, descending: desc), offset: 0, limit: 50, now: now)
                    }
                }
            }
            try time("page at offset n/2 \(state) by created") { _ = try r.page(ListQuery(state: state), offset: n / 2, limit: 50, now: now) }
            try time("page at the end \(state) by created") {
                let total = try r.count(ListQuery(state: state), now: now)
                _ = try r.page(ListQuery(state: state), offset: max(0, total - 50), limit: 50, now: now)
            }
        }
        try time("filter count (one match)") { _ = try r.count(ListQuery(state: .all, filter: "load-\(n / 3) "), now: now) }
        try time("filter page (one match)") { _ = try r.page(ListQuery(state: .all, filter: "load-\(n / 3) "), offset: 0, limit: 50, now: now) }
        try time("filter page (common term)") { _ = try r.page(ListQuery(state: .all, filter: "+9198"), offset: 0, limit: 50, now: now) }
        try time("index(of:) newest, active by created") { _ = try r.index(of: String(format: "id-%08d", n - 1), in: ListQuery(), now: now) }
        try time("index(of:) middle, all by created") { _ = try r.index(of: String(format: "id-%08d", n / 2 + 1), in: ListQuery(state: .all), now: now) }
        try time("allocation(connectionId:)") { _ = try r.allocation(connectionId: "load-\(n / 3)") }
        for f in figures { print("PERF \(label): \(f)") }
    }

    /// A registry used for half a year: a million allocations of a day each, a fifth deallocated;
    /// only the last day's are active.
    @Test func aYearOldRegistry() throws {
        let dir = TempDir()
        let r = try Registry(path: dir.registryPath)
        let n = Self.rows
        let t0 = Fixture.t0
        let step = Int64(180 * 86_400_000) / Int64(n)
        let load = try Self.seconds { try Self.load(r, n: n, t0: t0, stepMs: step, lifeMs: 86_400_000, vaultEvery: 5) }
        print("PERF old registry: loaded \(n) rows in \(String(format: "%.1f", load)) s (SQLite alone: \(Int(Double(n) / load)) rows/s)")
        let now = Millis.date(Millis.from(t0) + step * Int64(n))
        try Self.measureQueries(r, n: n, now: now, label: "old registry \(n)")
        try Self.writePaths(r, label: "old registry \(n)")
        let size = (try FileManager.default.attributesOfItem(atPath: dir.registryPath)[.size] as? Int) ?? 0
        print("PERF old registry: file \(size / 1_048_576) MiB")
        // Behaviour, not speed: the trigger-kept tallies account for every row loaded, and only
        // the last day's allocations (1/180 of them, a fifth of those vaulted) are still active.
        let tabs = try r.counts(now: now)
        #expect(tabs.active + tabs.vault == n)
        #expect(tabs.active <= n / 180 + 1)
    }

    /// GREENVN_PERF_FILE=path: the queries on an existing registry file, at GREENVN_PERF_NOW (ms).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GREENVN_PERF_FILE"] != nil))
    func anExistingFile() throws {
        let env = ProcessInfo.processInfo.environment
        let r = try Registry(path: env["GREENVN_PERF_FILE"]!)
        let now = env["GREENVN_PERF_NOW"].flatMap(Int64.init).map(Millis.date) ?? Date()
        let n = try r.count(ListQuery(state: .all), now: now)
        let t = Date()
        let c = try r.count(ListQuery(state: .all, filter: "load-\(n / 3)"), now: now)
        print("PERF file: filter count \(c) in \(Self.ms(Date().timeIntervalSince(t)))")
        try Self.measureQueries(r, n: n, now: now, label: "file \(n)")
    }

    /// A bulk import just ran: a million allocations of a week each, all active.
    @Test func aFreshBulk() throws {
        let dir = TempDir()
        let r = try Registry(path: dir.registryPath)
        let n = Self.rows
        let t0 = Fixture.t0
        try Self.load(r, n: n, t0: t0, stepMs: 3, lifeMs: 7 * 86_400_000, vaultEvery: 50)
        let now = Millis.date(Millis.from(t0) + 3 * Int64(n))
        try Self.measureQueries(r, n: n, now: now, label: "fresh bulk \(n)")
    }

    /// The product's write paths on a large registry: one transaction per remember, and allocate
    /// (durable outbox write + the commit) against an in-memory API.
    static func writePaths(_ r: Registry, label: String) throws {
        let count = 2_000
        let t = Fixture.t0.addingTimeInterval(400 * 86_400)
        let single = try seconds {
            for j in 0..<count {
                try r.remember(Fixture.allocation("single-\(j)", cid: "single-\(j)", vn: "+917099\(String(format: "%06d", j))"),
                               how: "allocate", request: Fixture.request("single-\(j)"), now: t)
            }
        }
        print("PERF \(label): remember, one transaction each: \(Int(Double(count) / single))/s")
    }

    @Test func allocateAndBulkThroughput() async throws {
        let dir = TempDir()
        let r = try Registry(path: dir.registryPath)
        let api = FakeAPI()
        let ops = Operations(api: api, registry: r)
        let count = 2_000
        let t = Date()
        for j in 0..<count { _ = try await ops.allocate(Fixture.request("fake-\(j)", a: ["+9197\(String(format: "%08d", j))"])) }
        let serial = Date().timeIntervalSince(t)
        print("PERF allocate one at a time (durable outbox write + commit, in-memory API): \(Int(Double(count) / serial))/s")

        let n = 10_000
        let data = SimulatorTests.csv(n, prefix: "fake-bulk")
        let t2 = Date()
        let report = await BulkImport.run(csv: data, operations: ops, concurrency: 32)
        let bulk = Date().timeIntervalSince(t2)
        print("PERF bulk \(n) rows, concurrency 32, in-memory API: \(Int(Double(report.allocated) / bulk))/s")
        #expect(report.allocated == n)
        let t3 = Date()
        let again = await BulkImport.run(csv: data, operations: ops, concurrency: 32)
        print("PERF bulk rerun of \(n) already-known rows: \(Int(Double(n) / Date().timeIntervalSince(t3)))/s")
        #expect(again.alreadyKnown == n)
    }

    @Test func bulkAgainstTheSimulator() async throws {
        var config = SimulatorConfig()
        config.numbersPerRegionAndType = 1_000
        let sim = try Simulator(config: config)
        try await sim.start()
        let dir = TempDir()
        let ops = Operations(api: LeadAssistClient(settings: sim.settings), registry: try Registry(path: dir.registryPath))
        let n = Int(ProcessInfo.processInfo.environment["GREENVN_PERF_BULK"] ?? "") ?? 2_000
        let data = SimulatorTests.csv(n, prefix: "perf")
        let t = Date()
        let report = await BulkImport.run(csv: data, operations: ops, concurrency: 32)
        let elapsed = Date().timeIntervalSince(t)
        print("PERF bulk \(n) against the simulator: \(report.allocated) allocated in \(String(format: "%.2f", elapsed)) s = \(Int(Double(report.allocated) / elapsed))/s")
        #expect(report.allocated == n)
        await sim.stop()
    }
}
