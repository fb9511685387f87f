import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// Paging, sorting, filtering, counts and the effective state, checked against a reference
/// computed in Swift over the same rows.
@Suite struct ListQueryTests {
    static let now = Fixture.t0.addingTimeInterval(3_600)

    /// 40 rows: mixed states, usages, expiries (past, future, unknown), shared creation times.
    static func populated(_ backend: Backend) async throws -> (TestDB, Registry, [StoredAllocation]) {
        let db = try TestDB(backend)
        let r = db.registry
        for i in 0..<40 {
            let cid = "Conn-\(String(format: "%02d", (i * 7) % 40))"
            let a = Fixture.allocation("id-\(String(format: "%02d", i))", cid: cid,
                                       vn: "+9180000\(String(format: "%05d", (i * 13) % 40))",
                                       a: ["+9198765\(String(format: "%05d", (i * 11) % 40))"],
                                       b: ["+9187654\(String(format: "%05d", (i * 3) % 40))", "+9177777\(String(format: "%05d", i))"],
                                       usage: i % 3 == 0 ? .oneway : .twoway, state: i % 5 == 0 ? .vault : .active)
            let created = Fixture.t0.addingTimeInterval(Double(i / 2) * 60)      // pairs share a creation time
            let durations = ["600s", nil, "2h", "1d", "5m"]
            if i % 7 == 3 {
                try await r.remember(a, how: "import", now: created)                   // expiry unknown
            } else {
                try await r.remember(a, how: "allocate", request: Fixture.request(cid, duration: durations[i % 5]), now: created)
            }
        }
        return (db, r, try r.page(ListQuery(state: .all, sort: .created, descending: false), offset: 0, limit: 1000, now: now))
    }

    static func reference(_ rows: [StoredAllocation], _ q: ListQuery, now: Date) -> [StoredAllocation] {
        // rows arrive in insertion (rowid) order
        let indexed = rows.enumerated().filter { _, s in
            let e = s.effectiveState(now: now)
            switch q.state {
            case .active: if e != .active { return false }
            case .expired: if e != .expired { return false }
            case .vault: if e == .active { return false }
            case .all: break
            }
            let term = q.filter.trimmingCharacters(in: .whitespaces).lowercased()
            return term.isEmpty || s.searchText.contains(term)
        }
        func key(_ s: StoredAllocation) -> String? {
            switch q.sort {
            case .vn: return s.allocation.greenVN
            case .connectionId: return s.allocation.connectionId
            case .aparty: return JSONList.encode(s.allocation.aparty.numbers)
            case .bparty: return JSONList.encode(s.allocation.bparty.numbers)
            case .usage: return s.allocation.usage.rawValue
            case .state: return s.allocation.state.rawValue + String(format: "%020.3f", s.createdAt.timeIntervalSince1970)
            case .expires: return s.expiresAt.map { String(format: "%020.3f", $0.timeIntervalSince1970) } ?? "~"   // unknown: last ascending
            case .created: return String(format: "%020.3f", s.createdAt.timeIntervalSince1970)
            }
        }
        let sorted = indexed.sorted { l, r in
            let (kl, kr) = (key(l.element), key(r.element))
            if kl == kr { return q.descending ? l.offset > r.offset : l.offset < r.offset }
            switch (kl, kr) {
            case (nil, _): return !q.descending        // NULL first ascending, last descending
            case (_, nil): return q.descending
            case let (a?, b?): return q.descending ? a > b : a < b
            }
        }
        return sorted.map(\.element)
    }

    static let queries: [ListQuery] = {
        var qs: [ListQuery] = []
        for state in StateFilter.allCases {
            for sort in SortColumn.allCases {
                for desc in [false, true] { qs.append(ListQuery(state: state, sort: sort, descending: desc)) }
            }
            for filter in ["+918000000001", "CONN-1", "id-2", "98765000", "nothing-matches", " 7777700003 "] {
                qs.append(ListQuery(state: state, filter: filter, sort: .vn, descending: false))
            }
        }
        return qs
    }()

    @Test(arguments: Backend.all, queries)
    func pagesMatchTheReference(_ backend: Backend, _ q: ListQuery) async throws {
        let (_, r, all) = try await Self.populated(backend)
        let expected = Self.reference(all, q, now: Self.now)
        #expect(try r.count(q, now: Self.now) == expected.count)
        var paged: [StoredAllocation] = []
        var offset = 0
        while true {
            let page = try r.page(q, offset: offset, limit: 7, now: Self.now)
            #expect(page.count <= 7)
            paged += page
            offset += 7
            if page.count < 7 { break }
        }
        #expect(paged.map(\.id) == expected.map(\.id))
        for (i, s) in expected.enumerated() {
            #expect(try r.index(of: s.id, in: q, now: Self.now) == i, "index of \(s.id)")
        }
        let hidden = all.filter { s in !expected.contains { $0.id == s.id } }
        for s in hidden.prefix(3) { #expect(try r.index(of: s.id, in: q, now: Self.now) == nil) }
    }

    @Test(arguments: Backend.all) func populatedDataCoversEveryCase(_ backend: Backend) async throws {
        let (_, _, all) = try await Self.populated(backend)
        #expect(all.count == 40)
        let states = Set(all.map { $0.effectiveState(now: Self.now) })
        #expect(states == [.active, .expired, .vault])
        #expect(all.contains { $0.expiresAt == nil })
    }

    @Test(arguments: Backend.all) func countsFollowTheEffectiveStateAtNow(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        let t = Fixture.t0
        try await r.remember(Fixture.allocation("short", cid: "c1", vn: "+918000000001"), how: "allocate", request: Fixture.request("c1", duration: "600s"), now: t)
        try await r.remember(Fixture.allocation("long", cid: "c2", vn: "+918000000002"), how: "allocate", request: Fixture.request("c2", duration: "1d"), now: t)
        try await r.remember(Fixture.allocation("gone", cid: "c3", vn: "+918000000003", state: .vault), how: "import", now: t)
        try await r.remember(Fixture.allocation("unknown-expiry", cid: "c4", vn: "+918000000004"), how: "import", now: t)

        let before = try r.counts(now: t.addingTimeInterval(599))
        #expect(before.active == 3 && before.vault == 1 && before.pending == 0)
        let after = try r.counts(now: t.addingTimeInterval(600))     // expires_at <= now: expired
        #expect(after.active == 2 && after.vault == 2)
        let muchLater = try r.counts(now: t.addingTimeInterval(90_000))
        #expect(muchLater.active == 1 && muchLater.vault == 3)       // only the one whose expiry is unknown

        let vaultTab = try r.page(ListQuery(state: .vault, sort: .vn, descending: false), offset: 0, limit: 10, now: t.addingTimeInterval(600))
        #expect(vaultTab.map(\.id) == ["short", "gone"])
        #expect(vaultTab[0].effectiveState(now: t.addingTimeInterval(600)) == .expired)
        #expect(vaultTab[0].effectiveState(now: t.addingTimeInterval(599)) == .active)
        #expect(vaultTab[1].effectiveState(now: t) == .vault)
        #expect(try r.count(ListQuery(state: .active), now: t.addingTimeInterval(600)) == 2)
        for dt in [-1.0, 0, 599, 600, 86_400, 1e9] { try checkCounts(r, now: t.addingTimeInterval(dt)) }
    }

    /// Above the probe thresholds the plans change (dense tabs, the other side of the tally):
    /// the answers must not.
    @Test(arguments: Backend.all) func largeTabsGiveTheSameAnswersAsSmallOnes(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        let t = Fixture.t0
        let n = 60_000
        let rows = (0..<n).map { j -> StoredAllocation in
            let id = String(format: "id-%06d", j)
            let at = t.addingTimeInterval(Double(j) / 1000)
            return StoredAllocation(
                allocation: Allocation(greenvnId: id, connectionId: String(format: "c-%06d", j), aparty: Party(), bparty: Party(),
                                       usage: .twoway, state: j % 7 == 0 ? .vault : .active,
                                       greenVN: String(format: "+9170%08d", (j * 7919) % 100_000)),
                createdAt: at, updatedAt: at, expiresAt: at.addingTimeInterval(1))
        }
        for chunk in stride(from: 0, to: n, by: 10_000) { try r.seed(Array(rows[chunk..<min(n, chunk + 10_000)])) }
        for dt in [0.0, 10, 25, 40, 59, 61, 100] {           // seconds: from nothing expired to all expired
            let now = t.addingTimeInterval(dt)
            try checkCounts(r, now: now)
            for state in [StateFilter.active, .vault] {
                for sort in [SortColumn.created, .vn, .expires, .connectionId] {
                    for desc in [false, true] {
                        let q = ListQuery(state: state, sort: sort, descending: desc)
                        let page = try r.page(q, offset: 100, limit: 20, now: now)
                        let expectedCount = try r.count(q, now: now)
                        #expect(page.count == max(0, min(20, expectedCount - 100)))
                        for (i, s) in page.enumerated() {
                            #expect(s.effectiveState(now: now) == .active ? state == .active : state == .vault)
                            if i == 0 || i == page.count - 1 { #expect(try r.index(of: s.id, in: q, now: now) == 100 + i) }
                        }
                        #expect(Self.ordered(page, sort, desc))
                    }
                }
            }
        }
        // deep pages (read from the other end), and text filters matching few or many rows
        let now = t.addingTimeInterval(30)
        for q in [ListQuery(state: .active), ListQuery(state: .vault, sort: .vn, descending: false),
                  ListQuery(state: .all, sort: .expires), ListQuery(state: .all, filter: "id-0", sort: .created, descending: false),
                  ListQuery(state: .active, filter: "id-0", sort: .vn), ListQuery(state: .all, filter: "id-05999")] {
            let total = try r.count(q, now: now)
            for (o, limit) in [(total - 30, 50), (1_500, 20), (total / 2 + 7, 40), (total / 2 - 7, 40), (0, 25), (total, 10)] {
                let offset = max(0, o)
                let page = try r.page(q, offset: offset, limit: limit, now: now)
                #expect(page.count == max(0, min(limit, total - offset)), "\(q.testDescription) at \(offset)")
                #expect(Self.ordered(page, q.sort, q.descending))
                if let first = page.first, let last = page.last {
                    #expect(try r.index(of: first.id, in: q, now: now) == offset)
                    #expect(try r.index(of: last.id, in: q, now: now) == offset + page.count - 1)
                    if q.state == .all && q.filter == "id-0" {
                        // every row matches: the rows above it are `offset`, followed only so deep
                        #expect(try r.followIndex(of: first.id, in: q, now: now) == (offset < db.followDepth ? offset : nil))
                    }
                }
            }
        }
    }

    static func ordered(_ page: [StoredAllocation], _ sort: SortColumn, _ desc: Bool) -> Bool {
        zip(page, page.dropFirst()).allSatisfy { a, b in
            let (ka, kb) = (key(a, sort), key(b, sort))
            return ka == kb ? true : (desc ? ka > kb : ka < kb)
        }
    }

    static func key(_ s: StoredAllocation, _ sort: SortColumn) -> String {
        switch sort {
        case .created: return String(format: "%020.3f", s.createdAt.timeIntervalSince1970)
        case .expires: return String(format: "%020.3f", s.expiresAt?.timeIntervalSince1970 ?? 1e13)
        case .vn: return s.allocation.greenVN
        default: return s.allocation.connectionId
        }
    }

    @Test(arguments: Backend.all) func filterIsCaseInsensitiveAndTakesNoWildcards(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        try await r.remember(Fixture.allocation("ABC-def", cid: "Order_%1", vn: "+918000000001"), how: "import")
        try await r.remember(Fixture.allocation("x", cid: "order-2", vn: "+918000000002"), how: "import")
        #expect(try r.page(ListQuery(state: .all, filter: "abc-DEF"), offset: 0, limit: 5).map(\.id) == ["ABC-def"])
        #expect(try r.page(ListQuery(state: .all, filter: "_%"), offset: 0, limit: 5).map(\.id) == ["ABC-def"])
        #expect(try r.count(ListQuery(state: .all, filter: "%"), now: Date()) == 1)
        #expect(try r.count(ListQuery(state: .all, filter: "ORDER"), now: Date()) == 2)
        #expect(try r.count(ListQuery(state: .all, filter: "+9198765"), now: Date()) == 2)
    }

    /// Found by fuzzing: a `"` followed by a combining mark is one Character, so quoting by
    /// Character left a lone quote in the FTS5 query and SQLite refused it.
    @Test(arguments: Backend.all) func filterWithAQuoteAndACombiningMarkIsAPlainString(_ backend: Backend) async throws {
        let db = try TestDB(backend)
        let r = db.registry
        try await r.remember(Fixture.allocation("q-1", cid: "say\"\u{0308}hi", vn: "+918000000001"), how: "import")
        try await r.remember(Fixture.allocation("q-2", cid: "plain-2", vn: "+918000000002"), how: "import")
        for term in ["y\"\u{0308}h", "\"\u{0308}\"\u{0301}x", "a\"\u{0308}"] {
            #expect(throws: Never.self) { try r.page(ListQuery(state: .all, filter: term), offset: 0, limit: 5) }
        }
        #expect(try r.page(ListQuery(state: .all, filter: "y\"\u{0308}h"), offset: 0, limit: 5).map(\.id) == ["q-1"])
        #expect(try r.count(ListQuery(state: .all, filter: "\"\u{0308}\"\u{0301}x"), now: Date()) == 0)
    }

    @Test(arguments: Backend.all) func pagingBeyondTheEndAndNegativeArgumentsAreSafe(_ backend: Backend) async throws {
        let (_, r, _) = try await Self.populated(backend)
        #expect(try r.page(ListQuery(state: .all), offset: 1000, limit: 10, now: Self.now).isEmpty)
        #expect(try r.page(ListQuery(state: .all), offset: -5, limit: -1, now: Self.now).isEmpty)
        #expect(try r.page(ListQuery(state: .all), offset: 0, limit: 0, now: Self.now).isEmpty)
    }
}

extension ListQuery: CustomTestStringConvertible {
    public var testDescription: String { "\(state.rawValue) sort \(sort.rawValue)\(descending ? "↓" : "↑") filter \"\(filter)\"" }
}
