import GreenVNKit

/// One VN the simulated account owns.
struct PoolNumber: Hashable, Sendable {
    let vn: String
    let region: Region
    let type: NumberType
}

/// The account's VNs: 11 regions × {mobile, landline} × N, the same numbers in every process
/// for a given N, so several processes sharing one state file agree on the pool.
struct Pool: Sendable {
    /// The serial is 6 digits in a mobile number: more would not fit 10 national digits.
    static let maxPerRegionAndType = 99_999

    let numbers: [PoolNumber]
    private let indexByVN: [String: Int]

    init(perRegionAndType n: Int) {
        let count = max(0, min(n, Self.maxPerRegionAndType))
        var numbers: [PoolNumber] = []
        for (index, region) in Region.allCases.enumerated() {
            for serial in stride(from: 1, through: count, by: 1) {
                numbers.append(PoolNumber(vn: Self.mobile(regionIndex: index, serial: serial), region: region, type: .mobile))
                numbers.append(PoolNumber(vn: Self.landline(region, serial: serial), region: region, type: .landline))
            }
        }
        self.numbers = numbers
        self.indexByVN = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($0.element.vn, $0.offset) })
    }

    func number(_ vn: String) -> PoolNumber? { index(of: vn).map { numbers[$0] } }

    /// Where `vn` sits in `numbers`.
    func index(of vn: String) -> Int? { indexByVN[vn] }

    /// +91 7 0 RR SSSSSS: a 10-digit Indian mobile starting 7, region index and serial inside.
    static func mobile(regionIndex: Int, serial: Int) -> String {
        "+9170" + padded(regionIndex, 2) + padded(serial, 6)
    }

    /// +91 STD 2 SSS…: a landline in the region's city, 10 national digits in all.
    static func landline(_ region: Region, serial: Int) -> String {
        let std = region.stdCode
        return "+91" + std + "2" + padded(serial, 10 - std.count - 1)
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// What a create or swap asks of the VN, with pin_code already turned into its region.
struct Wish: Sendable {
    var greenvn: String?
    var region: Region?
    var pinRegion: Region?
    var type: NumberType?
    var strict = false

    init(_ p: Preferences, strict: Bool) {
        greenvn = p.greenvn
        region = p.region
        pinRegion = p.pinCode.flatMap(PinCodeRegion.region(forPinCode:))
        type = p.type
        self.strict = strict
    }

    /// An exact VN outweighs everything else together (8 > 2 + 2 + 1).
    func score(_ n: PoolNumber) -> Int {
        var s = 0
        if greenvn == n.vn { s += 8 }
        if region == n.region { s += 2 }
        if pinRegion == n.region { s += 2 }
        if type == n.type { s += 1 }
        return s
    }

    func satisfiesAll(_ n: PoolNumber) -> Bool {
        (greenvn == nil || greenvn == n.vn) && (region == nil || region == n.region)
            && (pinRegion == nil || pinRegion == n.region) && (type == nil || type == n.type)
    }

    var summary: String {
        var parts: [String] = []
        if let g = greenvn { parts.append("greenvn \(g)") }
        if let r = region { parts.append("region \(r.rawValue)") }
        if let r = pinRegion { parts.append("pin_code region \(r.rawValue)") }
        if let t = type { parts.append("type \(t.rawValue)") }
        return parts.joined(separator: ", ")
    }

    /// The free VN that fits best; nil when none is free or (strict) none fits every preference.
    /// Ties go to the lowest seeded hash: deterministic, yet spread over regions like a real pool.
    func pick(from free: [PoolNumber], seed: UInt64) -> PoolNumber? {
        let eligible = strict ? free.filter(satisfiesAll) : free
        return eligible.min { a, b in
            let (sa, sb) = (score(a), score(b))
            if sa != sb { return sa > sb }
            return SeededHash.value(seed, a.vn) < SeededHash.value(seed, b.vn)
        }
    }
}

/// FNV-1a over the seed and a string: stable across processes and platforms.
enum SeededHash {
    static func value(_ seed: UInt64, _ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ seed
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }
}
