import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

/// Two operators' consoles open on one team registry while CLI processes of both change it at
/// once: each console shows the others' allocations, swaps and deallocations as they commit
/// (LISTEN/NOTIFY), its cursor stays on the allocation it was on, the detail pane names who did
/// what, and afterwards the registry equals the simulator, strictly.
@Suite(.serialized) struct TeamConsoles {
    /// The two operators' machines: each a data dir of its own, the team's registry, a console.
    struct Operator {
        let name: String
        let home: String
        let env: [String: String]
    }

    static func a(_ i: Int) -> String { "+9197\(String(format: "%08d", i))" }
    static func b(_ i: Int) -> String { "+9187\(String(format: "%08d", i))" }

    /// `greenvn allocate` for `cid` with numbers of index `i`; the allocation's (greenvn_id, VN).
    static func allocate(_ cid: String, _ i: Int, by op: Operator) async throws -> (id: String, vn: String) {
        let r = try await Binary.runAsync(["allocate", "--a", a(i), "--b", b(i), "--usage", "twoway",
                                           "--connection-id", cid, "--json"], env: op.env)
        try #require(r.status == 0, "\(op.name) allocate \(cid): \(r.stderr)")
        let o = try JSONValue.parse(Data(r.stdout.utf8))
        return (try #require(o["greenvn_id"]?.stringValue), try #require(o["green_vn"]?.stringValue))
    }

    /// Polls the pane (off the cooperative pool: the in-process simulator needs it) until its
    /// screen satisfies `condition`; fails with the last screen when it never does.
    @discardableResult
    static func screen(of tui: Pane, _ what: String, timeout: Double = 30,
                       where condition: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await withCheckedThrowingContinuation { c in
            Thread {
                c.resume(with: Result {
                    let deadline = Date().addingTimeInterval(timeout)
                    var last = ""
                    while Date() < deadline {
                        last = try tui.screen()
                        if condition(last) { return last }
                        usleep(50_000)
                    }
                    throw Pane.ScreenMismatch(expected: what, screen: last)
                })
            }.start()
        }
    }

    /// The detail pane's title is the selected allocation's VN, on its top border.
    static func selects(_ vn: String) -> @Sendable (String) -> Bool { { $0.contains("─ \(vn) ─") } }

    @Test func twoConsolesSeeEachOthersChangesLiveAndTheRegistryEqualsTheServer() async throws {
        let rig = try await TeamRegistry.Rig()
        let ops = ["asha", "ravi"].map { name in
            let home = Binary.tempHome()
            return Operator(name: name, home: home, env: rig.env(home, operator: name))
        }
        let (asha, ravi) = (ops[0], ops[1])
        defer { for op in ops { try? FileManager.default.removeItem(atPath: op.home) } }
        let setup = try await Binary.runAsync(["registry", "init", rig.url], env: rig.env(asha.home, operator: "asha", team: false))
        try #require(setup.status == 0, "\(setup.stderr)")

        // Before the consoles open: two of Asha's (oldest first), one of Ravi's (the newest).
        let gone = try await Self.allocate("team-x", 1, by: asha)
        let kept = try await Self.allocate("team-a1", 2, by: asha)
        let swapped = try await Self.allocate("team-r1", 3, by: ravi)

        let consoles = try ops.map { op in try Pane(width: 160, height: 48, home: op.home, env: op.env) }
        let (ashaTui, raviTui) = (consoles[0], consoles[1])
        for tui in consoles {
            try await Self.screen(of: tui, "the three allocations") { s in [1, 2, 3].allSatisfy { s.contains(Self.a($0)) } && s.contains(" 1 of 3 ") }
        }
        // Asha moves to her team-a1 (the second row); Ravi stays on his team-r1 (the first).
        try ashaTui.type("j")
        try await Self.screen(of: ashaTui, "team-a1 selected, 2 of 3") { s in Self.selects(kept.vn)(s) && s.contains(" 2 of 3 ") }
        try await Self.screen(of: raviTui, "team-r1 selected", where: Self.selects(swapped.vn))

        // Both operators at once, from the command line: two new allocations of Ravi's, Asha
        // swapping Ravi's team-r1, Ravi deallocating Asha's team-x.
        let running = try [
            Spawned(["allocate", "--a", Self.a(4), "--b", Self.b(4), "--usage", "twoway", "--connection-id", "team-r2", "--json"], env: ravi.env),
            Spawned(["allocate", "--a", Self.a(5), "--b", Self.b(5), "--usage", "twoway", "--connection-id", "team-r3", "--json"], env: ravi.env),
            Spawned(["swap", "team-r1", "--json"], env: asha.env),
            Spawned(["deallocate", "team-x", "--yes", "--json"], env: ravi.env),
        ]
        var results: [Binary.Result] = []
        for p in running { results.append(await p.wait()) }
        for (i, r) in results.enumerated() { #expect(r.status == 0, "CLI process \(i): \(r.stderr)") }
        let newVN = try #require(try JSONValue.parse(Data(results[2].stdout.utf8))["green_vn"]?.stringValue)
        #expect(newVN != swapped.vn, "the swap gave team-r1 another VN")

        // Each console shows the new rows, the swapped VN and the deallocation (team-x leaves the
        // active tab), without a key pressed; the cursor stays on its allocation, whose detail
        // pane (read after the frame that moved the cursor) names who did what.
        try await Self.screen(of: ashaTui, "the others' changes; cursor on team-a1 (4 of 4), allocated by asha") { s in
            s.contains(Self.a(4)) && s.contains(Self.a(5)) && s.contains(newVN) && !s.contains(Self.a(1))
                && Self.selects(kept.vn)(s) && s.contains(" 4 of 4 ") && s.contains("allocate ok · asha on")
        }
        try await Self.screen(of: raviTui, "the others' changes; cursor on team-r1 (3 of 4), allocated by ravi, swapped by asha") { s in
            s.contains(Self.a(4)) && s.contains(Self.a(5)) && !s.contains(Self.a(1))
                && Self.selects(newVN)(s) && s.contains(" 3 of 4 ")
                && s.contains("swap ok · asha on") && s.contains("allocate ok · ravi on")
        }

        // Asha moves up to a row of Ravi's: its detail pane names him.
        try ashaTui.type("k")
        try await Self.screen(of: ashaTui, "team-r1 selected (3 of 4), allocated by ravi, swapped by asha") { s in
            Self.selects(newVN)(s) && s.contains(" 3 of 4 ") && s.contains("allocate ok · ravi on") && s.contains("swap ok · asha on")
        }
        // The vault tab of Ravi's console holds team-x, released by Ravi.
        try raviTui.type("3")
        try await Self.screen(of: raviTui, "team-x alone in the vault, released by ravi") { s in
            s.contains(Self.a(1)) && s.contains(" 1 of 1 ") && Self.selects(gone.vn)(s) && s.contains("by            ravi")
        }

        // The registry equals the simulator, strictly: every allocation once, same VN and state.
        let server = try rig.sim.allAllocations()
        #expect(server.count == 5)
        #expect(server.first { $0.connectionId == "team-x" }?.state == .vault)
        let report = try await Parity.expectEqual(env: ravi.env, server: server, strict: true, "two consoles and four CLI processes")
        #expect(report.known == 5, "\(report)")
        for tui in consoles { try tui.type("q") }
        await rig.sim.stop()
    }
}
