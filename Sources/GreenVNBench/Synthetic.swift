import Foundation
import GreenVNKit
import GreenVNStore

/// The deterministic generator (GreenVNKit): the same seed gives the same registry.
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Double) -> Bool { Double(next() % 1_000_000) < percent * 10_000 }

    mutating func digits(_ count: Int) -> String {
        var s = ""
        s.reserveCapacity(count)
        for _ in 0..<count { s.append(Character(Unicode.Scalar(UInt8(48 + below(10))))) }
        return s
    }

    mutating func hex(_ count: Int) -> String {
        let table = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(count)
        for _ in 0..<count { s.append(table[below(16)]) }
        return s
    }
}

/// A registry an operator could have after months of use: allocations created over the last
/// `spanDays`, oldest first (insertion order is creation order), about a quarter deallocated
/// (vault), a quarter past their expiry (expired), half live; UUID-like greenvn_ids, three
/// styles of connection_id, Indian mobile numbers (one or two A-parties, one to three
/// B-parties), some pins, preferences and flows, and a few rows still pending or id-unknown.
enum Synthetic {
    static let spanDays = 150.0
    static let liveDurations: [(text: String, seconds: Double)] = [("7d", 7 * 86_400), ("30d", 30 * 86_400), ("90d", 90 * 86_400), ("170d", 170 * 86_400)]
    static let shortDurations: [(text: String?, seconds: Double)] = [(nil, 86_400), ("2h", 7_200), ("600s", 600), ("1d", 86_400), ("3d", 3 * 86_400)]
    static let pinCodes = ["560001", "110001", "400001", "700001", "600001", "380001", "302001", "682001"]

    /// Rows `range` of a registry of `total` rows whose newest was created at `now`.
    static func rows(_ range: Range<Int>, total: Int, now: Date, seed: UInt64 = 7) -> [StoredAllocation] {
        range.map { row($0, total: total, now: now, seed: seed) }
    }

    static func row(_ i: Int, total: Int, now: Date, seed: UInt64) -> StoredAllocation {
        var rng = SplitMix64(seed: seed &+ UInt64(i) &* 0x2545_F491_4F6C_DD1D)
        _ = rng.next()
        let span = spanDays * 86_400
        let age = span * Double(total - 1 - i) / Double(max(1, total)) + Double(rng.below(60))
        let created = Date(timeIntervalSince1970: (now.timeIntervalSince1970 - age).rounded())

        func mobile() -> String { "+91" + String(6 + rng.below(4)) + rng.digits(9) }
        let aparty = (0..<(rng.chance(80) ? 1 : 2)).map { _ in mobile() }
        let bcount = rng.chance(70) ? 1 : (rng.chance(70) ? 2 : 3)
        let bparty = (0..<bcount).map { _ in mobile() }
        let region = Region.allCases[rng.below(Region.allCases.count)]
        let vn: String
        if rng.chance(85) {
            vn = "+9170" + String(format: "%02d", Region.allCases.firstIndex(of: region)!) + rng.digits(6)
        } else {
            vn = "+9180" + "2" + rng.digits(7)
        }
        let greenvnId = "\(rng.hex(8))-\(rng.hex(4))-4\(rng.hex(3))-\(["8", "9", "a", "b"][rng.below(4)])\(rng.hex(3))-\(rng.hex(12))"
        let style = rng.below(100)
        let cid = style < 60 ? "gvn-" + rng.hex(12) : style < 85 ? "order-\(100_000 + i)" : "crm-lead-\(i)"
        let usage: Usage = rng.chance(70) ? .twoway : .oneway
        let apins = rng.chance(10) ? [1000 + rng.below(9000)] : []
        let bpins = rng.chance(5) ? [1000 + rng.below(9000)] : []
        var prefs = Preferences()
        if rng.chance(30) { prefs.region = region }
        if rng.chance(15) { prefs.type = rng.chance(80) ? .mobile : .landline }
        if rng.chance(5) { prefs.pinCode = pinCodes[rng.below(pinCodes.count)] }
        if rng.chance(3) { prefs.greenvn = vn }
        let strict = rng.chance(10)
        let flow = rng.chance(10) ? "flow-sales" : nil

        // Category: vault 25 %, expired ~25 %, live ~50 % (the newest rows cannot have expired yet).
        let category = rng.below(100)
        var state = AllocationState.active
        var durationText: String?
        var lifetime: Double
        if category < 50, let live = liveDurations.first(where: { $0.seconds > age + 3_600 }) {
            durationText = live.text
            lifetime = live.seconds
        } else {
            let short = shortDurations[rng.below(shortDurations.count)]
            durationText = short.text
            lifetime = short.seconds
            if category >= 75 { state = .vault }
        }
        let expires = created.addingTimeInterval(lifetime)
        var updated = created
        if state == .vault { updated = min(now, created.addingTimeInterval(Double(rng.below(Int(lifetime))))) }

        // One row in 10,000 still needs the operator: pending (outbox) or id unknown.
        var status = RecordStatus.known
        var id = greenvnId
        var greenVN = vn
        if i % 10_000 == 4_999 {
            status = i % 20_000 == 4_999 ? .pending : .idUnknown
            id = StoredAllocation.placeholderId(cid)
            greenVN = ""
            state = .active
        }
        let allocation = Allocation(greenvnId: id, connectionId: cid, aparty: Party(aparty, pins: apins), bparty: Party(bparty, pins: bpins),
                                    usage: usage, state: state,
                                    greenVN: greenVN, flowId: flow)
        return StoredAllocation(allocation: allocation, preferences: prefs, strictness: strict, durationText: durationText,
                                createdAt: created, updatedAt: updated, lastSyncedAt: status == .known ? updated : nil,
                                expiresAt: expires, status: status)
    }

    /// Seeds `rows` rows into a new registry at `path` (a file, or a `postgres://` URL whose
    /// database is dropped and created again) in batches of 10,000 (one transaction each).
    /// Returns rows per second.
    @discardableResult
    static func seed(path: String, rows: Int, now: Date, quiet: Bool = false) throws -> Double {
        let registry = try BenchRegistry.fresh(path)
        defer { BenchRegistry.close(registry) }
        let batch = 10_000
        var inserting = 0.0
        var start = 0
        while start < rows {
            let chunk = Synthetic.rows(start..<min(rows, start + batch), total: rows, now: now, seed: 7)
            inserting += try timeMs { try registry.seed(chunk) }
            start += batch
            if !quiet && rows >= 100_000 && (start / batch) % 10 == 0 {
                FileHandle.standardError.write(Data("  seeded \(grouped(min(start, rows))) rows\n".utf8))
            }
        }
        return Double(rows) / (inserting / 1000)
    }
}
