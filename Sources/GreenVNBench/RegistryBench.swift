import Foundation
import GreenVNKit
import GreenVNStore

/// The registry alone: how fast rows go in, and what the list's reads cost at a size.
enum RegistryBench {
    /// Repeats `body` (after one warm-up run) until `maxRuns` runs or `budgetMs` are spent.
    static func sample(maxRuns: Int = 200, budgetMs: Double = 2_000, _ body: () throws -> Void) rethrows -> Samples {
        try body()
        var s = Samples()
        var spent = 0.0
        while s.count < maxRuns && (spent < budgetMs || s.count < 5) {
            let t = try timeMs(body)
            s.add(t)
            spent += t
        }
        return s
    }

    static func run(dir: String, sizes: [Int], reuse: Bool) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for n in sizes {
            let path = "\(dir)/registry-\(n).sqlite"
            let now = Date()
            print("\n## registry, \(grouped(n)) rows (\(path))")
            if reuse, FileManager.default.fileExists(atPath: path),
               let r = try? SQLiteRegistry(path: path), let c = try? r.counts(), c.active + c.vault >= n {
                report("seed", "reused an existing file")
            } else {
                let t = nowNs()
                let rate = try Synthetic.seed(path: path, rows: n, now: now, quiet: false)
                let total = Double(nowNs() - t) / 1e9
                report("insert rate, Registry.seed (10k rows per transaction)", "\(grouped(Int(rate))) rows/s",
                       target: "")
                report("  seeding incl. generating the rows", String(format: "%.1f s", total))
            }
            let r = try SQLiteRegistry(path: path)
            try measure(r, n: n)
        }
    }

    static func measure(_ r: Registry, n: Int) throws {
        let now = Date()
        let c = try r.counts(now: now)
        report("tabs", "active \(grouped(c.active)) · vault \(grouped(c.vault)) · pending \(c.pending)")
        let limit = 3 * 33   // a 36-row list's window and its margins, as PageLoader asks
        let active = ListQuery()
        report("counts()", samplesLine(try sample { _ = try r.counts(now: now) }))
        report("count(active)", samplesLine(try sample { _ = try r.count(active, now: now) }))
        report("page 0, active by created ↓", samplesLine(try sample { _ = try r.page(active, offset: 0, limit: limit, now: now) }))
        let activeTotal = try r.count(active, now: now)
        report("page at the middle, active", samplesLine(try sample { _ = try r.page(active, offset: activeTotal / 2, limit: limit, now: now) }))
        report("page at the end, active (G)", samplesLine(try sample { _ = try r.page(active, offset: max(0, activeTotal - limit), limit: limit, now: now) }))
        report("page 0, all by VN ↑", samplesLine(try sample { _ = try r.page(ListQuery(state: .all, sort: .vn, descending: false), offset: 0, limit: limit, now: now) }))
        report("page 0, vault by expiry ↓", samplesLine(try sample { _ = try r.page(ListQuery(state: .vault, sort: .expires), offset: 0, limit: limit, now: now) }))
        if let newest = try r.page(active, offset: 0, limit: 1, now: now).first {
            report("index(of: newest) in active", samplesLine(try sample { _ = try r.index(of: newest.id, in: active, now: now) }))
        }
        for term in ["9", "98", "987", "9876", "gvn-"] {
            let q = ListQuery(state: .all, filter: term)
            let matches = try r.count(q, now: now)
            report("filter \"\(term)\" (\(grouped(matches)) rows): count", samplesLine(try sample(maxRuns: 50) { _ = try r.count(q, now: now) }))
            report("filter \"\(term)\": page 0", samplesLine(try sample(maxRuns: 50) { _ = try r.page(q, offset: 0, limit: limit, now: now) }))
        }
        let qa = ListQuery(filter: "9876")
        report("filter \"9876\" in active: count + page 0", samplesLine(try sample(maxRuns: 50) {
            _ = try r.count(qa, now: now)
            _ = try r.page(qa, offset: 0, limit: limit, now: now)
        }))
        // The product's write path: one transaction per remembered answer (what allocate commits).
        // (Numbers that no filter above matches, so a rerun measures the same rows.)
        let count = 1_000
        let t = nowNs()
        for j in 0..<count {
            let a = Allocation(greenvnId: "bench-\(n)-\(j)-\(UUID().uuidString.lowercased())", connectionId: "bench-\(UUID().uuidString.prefix(12))",
                               aparty: Party(["+915550\(String(format: "%06d", j))"]), bparty: Party(["+915551\(String(format: "%06d", j))"]),
                               usage: .twoway, state: .active, greenVN: "+917001\(String(format: "%06d", j))")
            try blocking { try await r.remember(a, how: "allocate") }
        }
        let rate = Double(count) / (Double(nowNs() - t) / 1e9)
        report("insert rate, remember() one transaction each", "\(grouped(Int(rate))) rows/s")
    }
}
