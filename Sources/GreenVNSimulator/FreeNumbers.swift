import Foundation
import GRDB
import GreenVNKit

/// Which VNs of the pool are free, kept between transactions so that a create picks its VN
/// without reading every held VN and scoring the whole pool (that made each create cost
/// O(pool + held): a few milliseconds at a few thousand allocations).
///
/// It picks exactly what `Wish.pick(from:seed:)` picks over the free numbers: the best score,
/// ties to the lowest seeded hash (then pool order). The score depends only on the number's
/// (region, type) class and on an exact VN wish, so each class keeps its numbers in hash
/// order with a cursor below which every number is held.
///
/// Trusted only while it knows every change: every call runs inside the store's IMMEDIATE
/// transaction, `PRAGMA data_version` of the writer connection tells whether another
/// connection (another process on the same state file) committed since, and this process's
/// own changes are either a create reporting the VN it took (`take`) or anything else, which
/// drops the cache (rebuilt from the table, inside the transaction, at the next pick).
final class FreeNumbers: @unchecked Sendable {
    private let pool: Pool
    private let seed: UInt64
    private static let classes = Region.allCases.count * NumberType.allCases.count

    private var built = false
    private var order: [[Int32]] = []          // per class: pool indices by (seeded hash, pool index)
    private var position: [Int32] = []         // pool index → its position in its class's order
    private var classOf: [Int16] = []          // pool index → class
    private var held: [Bool] = []
    private var heldCount = 0
    private var cursor: [Int] = []             // per class: every number before it is held

    private var valid = false
    private var dataVersion: Int64 = .min
    private var changesMark = 0
    private var taken = 0

    init(pool: Pool, seed: UInt64) {
        self.pool = pool
        self.seed = seed
    }

    private static func classIndex(_ region: Region, _ type: NumberType) -> Int {
        Region.allCases.firstIndex(of: region)! * NumberType.allCases.count + NumberType.allCases.firstIndex(of: type)!
    }

    private func build() {
        guard !built else { return }
        built = true
        let numbers = pool.numbers
        classOf = numbers.map { Int16(Self.classIndex($0.region, $0.type)) }
        let hashes = numbers.map { SeededHash.value(seed, $0.vn) }
        var members = Array(repeating: [Int32](), count: Self.classes)
        for i in numbers.indices { members[Int(classOf[i])].append(Int32(i)) }
        position = Array(repeating: 0, count: numbers.count)
        order = members.map { list in
            list.sorted { a, b in hashes[Int(a)] != hashes[Int(b)] ? hashes[Int(a)] < hashes[Int(b)] : a < b }
        }
        for list in order {
            for (p, i) in list.enumerated() { position[Int(i)] = Int32(p) }
        }
        held = Array(repeating: false, count: numbers.count)
        cursor = Array(repeating: 0, count: Self.classes)
    }

    // MARK: transaction hooks (SimulatorStore)

    /// At the start of a transaction, before anything is read or written.
    func begin(_ db: Database) throws {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        if version != dataVersion {
            dataVersion = version
            valid = false
        }
        changesMark = db.totalChangesCount
        taken = 0
    }

    /// After the expiry sweep, before the body: what the sweep moved to the vault is free again.
    func swept(_ db: Database) {
        if db.totalChangesCount != changesMark { valid = false }
        changesMark = db.totalChangesCount
    }

    /// After the body: every row it changed must be a create that told us.
    func end(_ db: Database, committed: Bool) {
        let changed = db.totalChangesCount - changesMark
        if changed != taken || (!committed && changed > 0) || (!committed && taken > 0) {
            valid = false
        }
        taken = 0
    }

    // MARK: picking

    /// The free VN `wish` gets, as `Wish.pick` over every free number would choose it.
    /// Throws `noFreeVN` when the pool is exhausted, `strictMiss` when nothing fits.
    func pick(_ wish: Wish, db: Database) throws -> PoolNumber {
        try refresh(db)
        guard heldCount < pool.numbers.count else { throw Refusal.noFreeVN }
        if let g = wish.greenvn, let i = pool.index(of: g), !held[i] {
            let n = pool.numbers[i]
            // An exact VN outweighs everything else (8 > 2 + 2 + 1), so it wins when eligible.
            if !wish.strict || wish.satisfiesAll(n) { return n }
        }
        if wish.strict && wish.greenvn != nil { throw Refusal.strictMiss(wish) }

        // Classes by score, best first; strict keeps only the classes that fit every preference.
        var tiers: [Int: [Int]] = [:]
        for region in Region.allCases {
            for type in NumberType.allCases {
                let probe = PoolNumber(vn: "", region: region, type: type)
                if wish.strict && !wish.satisfiesAll(probe) { continue }
                tiers[wish.score(probe), default: []].append(Self.classIndex(region, type))
            }
        }
        for score in tiers.keys.sorted(by: >) {
            var best: (hash: UInt64, index: Int32)?
            for c in tiers[score]! {
                guard let i = firstFree(c) else { continue }
                let h = SeededHash.value(seed, pool.numbers[Int(i)].vn)
                if best == nil || h < best!.hash || (h == best!.hash && i < best!.index) { best = (h, i) }
            }
            if let best { return pool.numbers[Int(best.index)] }
        }
        throw Refusal.strictMiss(wish)
    }

    /// A create took `vn` (call after its row is inserted, in the same transaction).
    func take(_ vn: String) {
        taken += 1
        guard valid, let i = pool.index(of: vn), !held[i] else { return }
        mark(i, held: true)
    }

    private func firstFree(_ c: Int) -> Int32? {
        let list = order[c]
        var p = cursor[c]
        while p < list.count && held[Int(list[p])] { p += 1 }
        cursor[c] = p
        return p < list.count ? list[p] : nil
    }

    private func mark(_ i: Int, held value: Bool) {
        guard held[i] != value else { return }
        held[i] = value
        heldCount += value ? 1 : -1
        if !value {
            let c = Int(classOf[i])
            cursor[c] = min(cursor[c], Int(position[i]))
        }
    }

    /// Reads the held VNs again if anything happened that this cache did not see.
    private func refresh(_ db: Database) throws {
        build()
        guard !valid else { return }
        for i in held.indices { held[i] = false }
        heldCount = 0
        for c in cursor.indices { cursor[c] = 0 }
        for vn in try SimulatorStore.heldVNs(db) {
            if let i = pool.index(of: vn) { mark(i, held: true) }
        }
        valid = true
    }
}
