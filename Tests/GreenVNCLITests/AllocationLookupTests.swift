import Foundation
import GreenVNKit
import GreenVNStore
import Testing
@testable import greenvn

/// The executable's pure rules: which allocation typed text names, and the registry row as
/// `list --json`/`show --json` print it.
@Suite struct Lookup {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func row(_ id: String, cid: String, vn: String, state: AllocationState = .active,
                    expiresIn: TimeInterval? = 3_600, status: RecordStatus = .known) -> StoredAllocation {
        let a = Allocation(greenvnId: status == .known ? id : StoredAllocation.placeholderId(cid), connectionId: cid,
                           aparty: Party(["+919876543210"]), bparty: Party(["+918765432109"]), usage: .twoway,
                           state: state, greenVN: status == .known ? vn : "")
        return StoredAllocation(allocation: a, createdAt: now, updatedAt: now,
                                expiresAt: expiresIn.map { now.addingTimeInterval($0) }, status: status)
    }

    static let live = row("g-live", cid: "c-live", vn: "+918047110001")
    static let vault = row("g-old", cid: "c-old", vn: "+918047110001", state: .vault)
    static let expired = row("g-exp", cid: "c-exp", vn: "+918047110001", expiresIn: -60)
    static let otherLive = row("g-two", cid: "c-two", vn: "+918047110001")
    static let pending = row("", cid: "c-pend", vn: "", status: .pending)

    typealias R = AllocationLookup.Resolution
    static func one(_ r: StoredAllocation, _ m: AllocationLookup.Match) -> R { .row(.init(row: r, matchedBy: m)) }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var byId: StoredAllocation? = nil
        var byCid: StoredAllocation? = nil
        var byVN: [StoredAllocation] = []
        let expected: R
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "nothing known: a greenvn_id as typed", expected: .unknown),
        Case(name: "by greenvn_id", byId: live, expected: one(live, .greenvnId)),
        Case(name: "by connection_id", byCid: live, expected: one(live, .connectionId)),
        Case(name: "by VN", byVN: [live], expected: one(live, .vn)),
        Case(name: "a placeholder's id is no greenvn_id", byId: pending, expected: .unknown),
        Case(name: "a placeholder by connection_id", byCid: pending, expected: one(pending, .connectionId)),
        Case(name: "the same row twice is one", byId: live, byCid: live, expected: one(live, .greenvnId)),
        Case(name: "VN: the live one hides the vault's", byVN: [vault, live], expected: one(live, .vn)),
        Case(name: "VN: the live one hides an expired one", byVN: [expired, live], expected: one(live, .vn)),
        Case(name: "VN: only past allocations, one of them", byVN: [vault], expected: one(vault, .vn)),
        Case(name: "VN: two live allocations", byVN: [live, otherLive],
             expected: .ambiguous([.init(row: live, matchedBy: .vn), .init(row: otherLive, matchedBy: .vn)])),
        Case(name: "VN: only past allocations, two", byVN: [vault, expired],
             expected: .ambiguous([.init(row: vault, matchedBy: .vn), .init(row: expired, matchedBy: .vn)])),
        Case(name: "an id of one row, a connection_id of another", byId: live, byCid: otherLive,
             expected: .ambiguous([.init(row: live, matchedBy: .greenvnId), .init(row: otherLive, matchedBy: .connectionId)])),
    ]

    @Test(arguments: cases)
    func resolves(_ c: Case) {
        #expect(AllocationLookup.resolve(byId: c.byId, byConnectionId: c.byCid, byVN: c.byVN, now: Self.now) == c.expected)
    }

    @Test func resolvesAgainstARegistry() async throws {
        let registry = try SQLiteRegistry.inMemory()
        try registry.seed([Self.live, Self.vault, Self.otherLive])
        #expect(try await AllocationLookup.resolve("c-old", in: registry, now: Self.now) == Self.one(Self.vault, .connectionId))
        #expect(try await AllocationLookup.resolve("g-two", in: registry, now: Self.now) == Self.one(Self.otherLive, .greenvnId))
        // A bare 10-digit mobile is the VN once normalised; two live rows have it.
        guard case .ambiguous(let both) = try await AllocationLookup.resolve("8047110001", in: registry, now: Self.now) else {
            Issue.record("two live allocations share the VN"); return
        }
        #expect(Set(both.map(\.row.id)) == ["g-live", "g-two"])
        #expect(try await AllocationLookup.resolve("g-none", in: registry, now: Self.now) == .unknown)
    }

    @Test func whatAVerbSends() async throws {
        let registry = try SQLiteRegistry.inMemory()
        try registry.seed([Self.live, Self.pending])
        #expect(try await AllocationLookup.greenvnId(for: "c-live", in: registry, verb: "swap") == ("g-live", Self.live))
        #expect(try await AllocationLookup.greenvnId(for: "g-unknown-1", in: registry, verb: "swap") == ("g-unknown-1", nil))
        // A placeholder has no greenvn_id: refused with its way out, naming the field.
        await #expect { try await AllocationLookup.greenvnId(for: "c-pend", in: registry, verb: "swap") } throws: { error in
            guard case .invalid(let f) = error as? GreenVNError else { return false }
            return f.errors.first?.field == .greenvnId && f.description.contains("show --connection-id c-pend")
        }
        // An unknown VN written with spaces cannot be a greenvn_id: said so, nothing to send.
        await #expect { try await AllocationLookup.row(for: "+91 80471 19999", in: registry) } throws: { error in
            guard case .invalid(let f) = error as? GreenVNError else { return false }
            return f.description.contains("no allocation in the registry has VN +918047119999")
        }
    }

    @Test(arguments: ["0b7f2c9e-5d1a-4c3b-9e8f-1a2b3c4d5e6f", "order/42", "+91 98765 43210", "9876543210", "gvn-abc"])
    func namesAnAllocation(_ typed: String) { #expect(AllocationLookup.check(typed) == nil) }

    @Test(arguments: ["", "a b", "id\u{1B}[2J", String(repeating: "x", count: 129), "\u{7F}"])
    func namesNothing(_ typed: String) {
        let f = AllocationLookup.check(typed)
        #expect(f?.errors.map(\.field) == [.greenvnId])
        #expect(f.map { !Text.hasControl($0.description.replacingOccurrences(of: "\n", with: " ")) } == true)
    }
}

@Suite struct RegistryRowJSON {
    @Test func aKnownRowCarriesTheAPIObjectAndGreenvnsFields() throws {
        var s = Lookup.row("g-1", cid: "c-1", vn: "+918047110001", expiresIn: 600)
        s.durationText = "600s"
        s.preferences = Preferences(region: .KA, pinCode: "560001", type: .mobile)
        s.strictness = true
        let o = RowJSON.object(s)
        var expected = Wire.json(s.allocation)
        guard case .object(var fields) = expected else { Issue.record("not an object"); return }
        fields["registry_status"] = .string("known")
        fields["expires_at"] = .string("2025-06-15T15:16:40Z")
        fields["created_at"] = .string("2025-06-15T15:06:40Z")
        fields["duration"] = .string("600s")
        fields["preferences"] = .object(["region": .string("KA"), "pin_code": .string("560001"), "type": .string("mobile")])
        fields["strictness"] = .bool(true)
        fields["released_at"] = .null
        fields["released_by"] = .null
        expected = .object(fields)
        #expect(o == expected)
    }

    @Test func aReleasedRowSaysWhenAndByWhom() {
        var s = Lookup.row("g-1", cid: "c-1", vn: "+918047110001", state: .vault)
        s.releasedAt = Lookup.now.addingTimeInterval(60)
        s.releasedBy = "asha on ops-3"
        let o = RowJSON.object(s)
        #expect(o["state"] == .string("vault"))
        #expect(o["released_at"] == .string("2025-06-15T15:07:40Z") && o["released_by"] == .string("asha on ops-3"))
    }

    @Test func aPlaceholderHasNullIdsAndItsStatus() {
        let o = RowJSON.object(Lookup.row("", cid: "c-p", vn: "", expiresIn: nil, status: .idUnknown))
        #expect(o["greenvn_id"] == .null && o["green_vn"] == .null)
        #expect(o["registry_status"] == .string("id_unknown") && o["connection_id"] == .string("c-p"))
        #expect(o["expires_at"] == .null && o["duration"] == .null && o["preferences"] == .object([:]))
    }
}
