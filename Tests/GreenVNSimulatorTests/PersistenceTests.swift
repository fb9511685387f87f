import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("state shared through one SQLite file")
struct PersistenceTests {
    @Test func twoSimulatorsOnOneFileSeeTheSameAllocationsAndClock() async throws {
        let path = temporaryStatePath()
        try await withSimulator({ $0.statePath = path }) { one in
            try await withSimulator({ $0.statePath = path }) { two in
                let a = try await one.allocate("P1", extra: "\"deallocation_policy\":{\"duration\":\"5m\"}")
                let seen = try await two.details(a.greenvnId)
                #expect(seen.status == 200 && seen.data.flatMap(Wire.allocation(from:)) == a)
                #expect(try two.sim.allAllocations() == [a])
                let dup = try await two.create("P1")
                #expect(dup.code == 18)
                try one.sim.advanceClock(seconds: 301)
                #expect(try await two.details(a.greenvnId).data?["state"] == .string("vault"))
            }
        }
        // A restart finds everything where it was.
        try await withSimulator({ $0.statePath = path }) { again in
            let all = try again.sim.allAllocations()
            #expect(all.map(\.connectionId) == ["P1"])
            #expect(all.first?.state == .vault)
        }
    }

    @Test func concurrentCreatesFromTwoSimulatorsNeverShareAVN() async throws {
        let path = temporaryStatePath()
        try await withSimulator({ $0.statePath = path; $0.numbersPerRegionAndType = 1 }) { one in
            try await withSimulator({ $0.statePath = path; $0.numbersPerRegionAndType = 1 }) { two in
                // 30 creates for a pool of 22, half through each process-like instance, all at once.
                let statuses = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
                    for i in 0..<30 {
                        let h = i.isMultiple(of: 2) ? one : two
                        group.addTask {
                            let r = try await h.create("C\(i)", a: ["+9190000\(String(format: "%05d", i))"], b: ["+918765432109"])
                            return (r.status, r.code)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0.0 == 200 }.count == 22)
                #expect(statuses.filter { $0.0 != 200 }.allSatisfy { $0 == (452, 4) })
                let all = try one.sim.allAllocations()
                #expect(all.count == 22)
                #expect(Set(all.map(\.greenVN)).count == 22, "no VN handed out twice")
            }
        }
    }

    @Test func concurrentDuplicateConnectionIdsCreateOnce() async throws {
        let path = temporaryStatePath()
        try await withSimulator({ $0.statePath = path }) { one in
            try await withSimulator({ $0.statePath = path }) { two in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for i in 0..<10 {
                        let h = i.isMultiple(of: 2) ? one : two
                        group.addTask { try await h.create("SAME").status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.sorted() == [200] + Array(repeating: 409, count: 9))
                #expect(try two.sim.allAllocations().count == 1)
            }
        }
    }

    @Test func inMemorySimulatorsDoNotShare() async throws {
        try await withSimulator { one in
            _ = try await one.allocate("MEM")
            try await withSimulator { two in
                let all = try two.sim.allAllocations()
                #expect(all.isEmpty)
            }
        }
    }
}
