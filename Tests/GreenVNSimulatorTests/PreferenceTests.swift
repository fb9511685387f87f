import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("VN pool and preferences")
struct PreferenceTests {
    @Test func poolIsDeterministicValidAndShaped() throws {
        let pool = Pool(perRegionAndType: 3)
        #expect(pool.numbers.count == 11 * 2 * 3)
        #expect(Set(pool.numbers.map(\.vn)).count == pool.numbers.count)
        #expect(pool.numbers == Pool(perRegionAndType: 3).numbers)
        for n in pool.numbers {
            #expect(PhoneNumber.normalize(n.vn) == .success(n.vn), "\(n.vn) is E.164")
            #expect(n.vn.hasPrefix("+91") && n.vn.count == 13)
            let national = n.vn.dropFirst(3)
            switch n.type {
            case .mobile: #expect("6789".contains(national.first!))
            case .landline: #expect(national.hasPrefix(n.region.stdCode))
            }
        }
        #expect(pool.numbers.contains { $0.vn == "+914842000001" && $0.region == .KL && $0.type == .landline })
        #expect(pool.numbers.contains { $0.vn == "+911120000001" && $0.region == .DL })
    }

    @Test(arguments: [
        ("560001", Region.KA), ("110001", .DL), ("400001", .MU), ("411001", .MH), ("700001", .WB),
        ("500001", .AP), ("600001", .TN), ("380001", .GJ), ("682001", .KL), ("302001", .RJ),
        ("462001", .MP), ("226001", .DL), ("900001", .DL), ("540001", .AP), ("660001", .KL), ("860001", .WB),
    ])
    func pinCodesMapToTheirNearestRegion(pin: String, region: Region) {
        #expect(PinCodeRegion.region(forPinCode: pin) == region)
    }

    @Test func strictRegionAndTypeAreHonoured() async throws {
        try await withSimulator { h in
            for (i, (region, type)) in [(Region.KA, NumberType.landline), (.DL, .mobile), (.KL, .landline), (.MP, .mobile)].enumerated() {
                let a = try await h.allocate("P\(i)", extra: "\"strictness\":true,\"preferences\":{\"region\":\"\(region.rawValue)\",\"type\":\"\(type.rawValue)\"}")
                let n = try #require(Pool(perRegionAndType: 20).number(a.greenVN))
                #expect(n.region == region && n.type == type)
            }
        }
    }

    @Test func pinCodeChoosesTheRegion() async throws {
        try await withSimulator { h in
            let a = try await h.allocate("PIN", extra: "\"strictness\":true,\"preferences\":{\"pin_code\":\"560034\"}")
            #expect(Pool(perRegionAndType: 20).number(a.greenVN)?.region == .KA)
            let bad = try await h.create("PIN2", extra: "\"preferences\":{\"pin_code\":\"56\"}")
            #expect(bad.status == 400 && bad.code == 5)
        }
    }

    @Test func aSpecificVNIsGivenWhenFreeAndStrictlyRefusedWhenTaken() async throws {
        try await withSimulator { h in
            let wanted = "+918020000007"
            let a = try await h.allocate("G1", extra: "\"strictness\":true,\"preferences\":{\"greenvn\":\"\(wanted)\"}")
            #expect(a.greenVN == wanted)
            let strict = try await h.create("G2", a: ["+919000000001"], b: ["+919000000002"],
                                            extra: "\"strictness\":true,\"preferences\":{\"greenvn\":\"\(wanted)\"}")
            #expect(strict.status == 452 && strict.code == 4)
            #expect(strict.envelope?["message"]?.stringValue?.hasPrefix("No free green VN unable allocate") == true)
            let lenient = try await h.create("G3", a: ["+919000000001"], b: ["+919000000002"],
                                             extra: "\"preferences\":{\"greenvn\":\"\(wanted)\",\"region\":\"KA\",\"type\":\"landline\"}")
            #expect(lenient.status == 200)
            let other = try #require(lenient.data?["green_vn"]?.stringValue)
            #expect(other != wanted)
            let n = try #require(Pool(perRegionAndType: 20).number(other))
            #expect(n.region == .KA && n.type == .landline, "the best other VN matches the other preferences")
        }
    }

    @Test func aVNOutsideThePoolIsStrictlyRefusedAndOtherwiseReplaced() async throws {
        try await withSimulator { h in
            let strict = try await h.create("O1", extra: "\"strictness\":\"true\",\"preferences\":{\"greenvn\":\"+14155550100\"}")
            #expect(strict.status == 452 && strict.code == 4)
            let lenient = try await h.create("O2", extra: "\"preferences\":{\"greenvn\":\"+14155550100\"}")
            #expect(lenient.status == 200)
            #expect(h.sim.poolNumbers.contains(lenient.data?["green_vn"]?.stringValue ?? ""))
        }
    }

    @Test func strictMissWhenTheMatchingPartOfThePoolIsTaken() async throws {
        try await withSimulator({ $0.numbersPerRegionAndType = 1 }) { h in
            let prefs = "\"preferences\":{\"region\":\"GJ\",\"type\":\"mobile\"}"
            _ = try await h.allocate("M1", extra: "\"strictness\":true," + prefs)
            let strict = try await h.create("M2", extra: "\"strictness\":true," + prefs)
            #expect(strict.status == 452 && strict.code == 4)
            let lenient = try await h.allocate("M3", extra: prefs)
            let n = try #require(Pool(perRegionAndType: 1).number(lenient.greenVN))
            #expect(n.region == .GJ && n.type == .landline, "region weighs more than type")
        }
    }

    @Test func poolExhaustionIs452Code4UntilAVNIsFreed() async throws {
        try await withSimulator({ $0.numbersPerRegionAndType = 1 }) { h in
            var ids: [String] = []
            for i in 0..<22 { ids.append(try await h.allocate("E\(i)").greenvnId) }
            let vns = try h.sim.allAllocations().map(\.greenVN)
            #expect(Set(vns).count == 22)
            let full = try await h.create("E22")
            #expect(full.status == 452)
            #expect(full.json == .array([.object(["success": .bool(false), "status": .int(452), "code": .int(4),
                                                  "message": .string("No free green VN unable allocate"), "data": .null])]))
            _ = try await h.call("DELETE", "\(h.root)/\(ids[5])")
            #expect(try await h.create("E23").status == 200)
        }
    }

    @Test func tieBreaksAreDeterministicPerSeed() async throws {
        func firstVNs(seed: UInt64) async throws -> [String] {
            var out: [String] = []
            try await withSimulator({ $0.seed = seed }) { h in
                for i in 0..<3 { out.append(try await h.allocate("T\(i)").greenVN) }
            }
            return out
        }
        let a = try await firstVNs(seed: 7)
        #expect(try await firstVNs(seed: 7) == a)
        #expect(try await firstVNs(seed: 8) != a)
    }
}
