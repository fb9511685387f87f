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
        let page = try PageLoader.load(request(ListQuery(state: .all), follow: nil, cursor: 150), from: r, now: now)
        #expect(page.total == 300)
        #expect(page.rows.count == 30)   // visible + a margin each side
        #expect(page.offset <= 150 && page.offset + page.rows.count > 150)
        #expect(page.rows.first?.id == "id-\(299 - page.offset)", "newest first")
    }

    @Test func followFindsItsRowAfterAReSort() throws {
        let r = try registry(300)
        var q = ListQuery(state: .all)
        let first = try PageLoader.load(request(q, follow: nil), from: r, now: now)
        let id = try #require(first.rows.first?.id)   // the newest: id-299
        q.descending = false
        let page = try PageLoader.load(request(q, follow: id), from: r, now: now)
        #expect(page.followIndex == 299)
        #expect(page.rows.contains { $0.id == id })
        q.filter = "conn-01"
        let filtered = try PageLoader.load(request(q, follow: id), from: r, now: now)
        #expect(filtered.followIndex == nil, "filtered out")
        #expect(filtered.total == 100)
    }

    @Test func theHarnessFollowsLikeTheRealRegistry() throws {
        // The same re-sort through update, answered by the real registry.
        let r = try registry(50)
        var state = AppState(target: TargetInfo(isSimulator: true, accountSID: "", host: ""), readOnly: false, now: now, timeZone: utc)
        func run(_ action: Action) throws {
            for effect in update(&state, action) {
                if case .loadPage(let req) = effect { try run(.pageLoaded(PageLoader.load(req, from: r, now: now))) }
            }
        }
        try run(.resize(width: 80, height: 24))
        try run(.start)
        try run(.key(.char("j")))
        let id = state.list.selectedId
        #expect(id == "id-48")
        try run(.key(.char("O")))
        #expect(state.list.selectedId == id)
        #expect(state.list.cursor == 48)
        #expect(state.selected?.id == id)
    }
}

@Suite struct FormatTests {
    @Test func countdowns() {
        #expect(Format.countdown(to: nil, now: now) == "—")
        #expect(Format.countdown(to: now, now: now) == "expired")
        #expect(Format.countdown(to: now.addingTimeInterval(59.9), now: now) == "59s")
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
