import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore

/// The loader against the real registry: only a window is read, and `follow` finds its row.
@Suite struct PageLoaderTests {
    func registry(_ n: Int) throws -> Registry {
        let r = try SQLiteRegistry.inMemory()
        var rows: [StoredAllocation] = []
        for i in 0..<n {
            let a = Allocation(greenvnId: "id-\(i)", connectionId: "conn-\(String(format: "%04d", i))",
                               aparty: Party(["+9198\(String(format: "%08d", i))"]), bparty: Party(["+9187\(String(format: "%08d", i))"]),
                               usage: .twoway, state: .active, greenVN: "+9180\(String(format: "%08d", (i * 37) % 1000))")
            let at = now.addingTimeInterval(TimeInterval(i))
            rows.append(StoredAllocation(allocation: a, createdAt: at, updatedAt: at, lastSyncedAt: at))
        }
        try r.seed(rows)
        return r
    }

    func request(_ q: ListQuery, follow: String?, cursor: Int = 0, visible: Int = 10) -> PageRequest {
        PageRequest(query: q, follow: follow, cursor: cursor, scrollTop: max(0, cursor - visible + 1), visible: visible, generation: 1)
    }

    @Test func readsOnlyTheWindowAroundTheCursor() throws {
        let r = try registry(300)
        let page = try PageLoader.load(request(ListQuery(state: .all), follow: nil, cursor: 150), from: StoreReader(registry: r), now: now)
        #expect(page.total == 300)
        #expect(page.rows.count == 30)   // visible + a margin each side
        #expect(page.offset <= 150 && page.offset + page.rows.count > 150)
        #expect(page.rows.first?.id == "id-\(299 - page.offset)", "newest first")
    }

    @Test func followFindsItsRowAfterAReSort() throws {
        let r = try registry(300)
        var q = ListQuery(state: .all)
        let first = try PageLoader.load(request(q, follow: nil), from: StoreReader(registry: r), now: now)
        let id = try #require(first.rows.first?.id)   // the newest: id-299
        q.descending = false
        let page = try PageLoader.load(request(q, follow: id), from: StoreReader(registry: r), now: now)
        #expect(page.followIndex == 299)
        #expect(page.rows.contains { $0.id == id })
        q.filter = "conn-01"
        let filtered = try PageLoader.load(request(q, follow: id), from: StoreReader(registry: r), now: now)
        #expect(filtered.followIndex == nil, "filtered out")
        #expect(filtered.total == 100)
    }

    @Test func theRuntimeFollowsWithTheRealRegistry() throws {
        // The same re-sort through update and the EffectRuntime, answered by the real registry.
        let r = try registry(50)
        let services = ConsoleServices(reader: StoreReader(registry: r), operations: nil,
                                       clipboard: { _ in .failed("no terminal") }, clock: { now })
        let console = ConsoleDriver(state: AppState(target: TargetInfo(isSimulator: true, accountSID: "", host: ""),
                                                    readOnly: false, now: now, timeZone: utc), services: services)
        for action: Action in [.resize(width: 80, height: 24), .start, .key(.char("j"))] {
            console.send(action)
            console.drain()
        }
        let id = console.state.list.selectedId
        #expect(id == "id-48")
        console.send(.key(.char("O")))
        console.drain()
        #expect(console.state.list.selectedId == id)
        #expect(console.state.list.cursor == 48)
        #expect(console.state.selected?.id == id)
        #expect(console.state.detail?.id == id, "the detail came from the registry too")
    }

    @Test func aBurstOfKeysReadsOnlyTheNewestPage() throws {
        let r = try registry(50)
        let counting = CountingReader(StoreReader(registry: r))
        let services = ConsoleServices(reader: counting, operations: nil, clipboard: { _ in .failed("no terminal") }, clock: { now })
        let console = ConsoleDriver(state: AppState(target: TargetInfo(isSimulator: true, accountSID: "", host: ""),
                                                    readOnly: false, now: now, timeZone: utc), services: services)
        console.send(.resize(width: 80, height: 24))
        console.send(.start)
        console.drain()
        let before = counting.loads
        // Three sorts before the queue runs (keys arriving faster than the registry answers).
        for key in ["o", "o", "O"] { console.send(.key(.char(Character(key)))) }
        console.drain()
        #expect(counting.loads - before == 1, "older page requests were skipped, not read")
        let expected = try StoreReader(registry: r).page(console.state.list.query, offset: 0, limit: 1, now: now)
        #expect(console.state.list.loadedQuery == console.state.list.query)
        #expect(console.state.list.rows.first?.id == expected.first?.id)
    }
}

/// Counts the page loads read through it (each counts the rows of its query once).
final class CountingReader: RegistryReading, @unchecked Sendable {
    let base: RegistryReading
    var loads = 0
    init(_ base: RegistryReading) { self.base = base }
    func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation] {
        try base.page(q, offset: offset, limit: limit, now: now)
    }
    func count(_ q: ListQuery, now: Date) throws -> Int {
        loads += 1
        return try base.count(q, now: now)
    }
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int { min(limit, try count(q, now: now)) }
    func counts(now: Date) throws -> TabCounts { try base.counts(now: now) }
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? { try base.followIndex(of: id, in: q, now: now) }
    func calls(of id: String, limit: Int) throws -> [CallRecord] { try base.calls(of: id, limit: limit) }
    func index(of id: String, in q: ListQuery, now: Date) throws -> Int? { try base.index(of: id, in: q, now: now) }
    func history(of id: String) throws -> [VNChange] { try base.history(of: id) }
    func audit(for id: String, limit: Int) throws -> [AuditEntry] { try base.audit(for: id, limit: limit) }
}

@Suite struct FormatTests {
    @Test func countdowns() {
        #expect(Format.countdown(to: nil, now: now) == "—")
        #expect(Format.countdown(to: now, now: now) == "expired")
        #expect(Format.countdown(to: now.addingTimeInterval(0.3), now: now) == "1s")
        #expect(Format.countdown(to: now.addingTimeInterval(29.4), now: now) == "29s")
        #expect(Format.countdown(to: now.addingTimeInterval(59.9), now: now) == "1m 00s", "the nearest second")
        #expect(Format.countdown(to: now.addingTimeInterval(7_170), now: now) == "2h 00m", "1h 59m 30s: the nearest minute")
        #expect(Format.countdown(to: now.addingTimeInterval(7_140), now: now) == "1h 59m")
        #expect(Format.countdown(to: now.addingTimeInterval(86_399), now: now) == "1d 0h")
        #expect(Format.countdown(to: now.addingTimeInterval(2 * 86_400 - 1_000), now: now) == "2d 0h")
        #expect(Format.countdown(to: now.addingTimeInterval(599), now: now) == "9m 59s")
        #expect(Format.countdown(to: now.addingTimeInterval(7_500), now: now) == "2h 05m")
        #expect(Format.countdown(to: now.addingTimeInterval(3 * 86_400 + 4 * 3_600 + 5), now: now) == "3d 4h")
        #expect(Format.countdown(to: now.addingTimeInterval(170 * 86_400), now: now) == "170d")
    }

    @Test func partiesAndWrapping() {
        #expect(Party().summary == "—")
        #expect(Party(["+919876543210"]).summary == "+919876543210")
        #expect(Party(["+919876543210", "+919876543211", "+919876543212"]).summary == "+919876543210 (+2)", "a count, not a number's +")
        #expect(Format.wrap("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(Format.wrap("one two three four", width: 9, maxLines: 2) == ["one two", "three fo…"])
        #expect(Format.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }
}
