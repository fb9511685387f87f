import Foundation
import GreenVNKit
import GreenVNPostgres
import GreenVNSimulator
import PostgresTestSupport
import Testing

/// The real binary on a team registry (PostgreSQL): set up with one command, shared by
/// operators on other machines (other data dirs), fed from a laptop's SQLite registry.
@Suite(.serialized) struct TeamRegistry {
    struct Rig {
        let sim: Simulator
        let lifetime = NSObject()
        let location: PostgresLocation
        let url: String

        init(faults: FaultRates = .none) async throws {
            var config = SimulatorConfig()
            config.faults = faults
            sim = try Simulator(config: config)
            try await sim.start()
            location = try Databases.create(for: lifetime, migrated: false)
            url = location.urlWithoutPassword
        }

        /// An operator's machine: a data dir of its own, this team's registry.
        func env(_ home: String, operator name: String, team: Bool = true) -> [String: String] {
            var extra = ["GREENVN_OPERATOR": name]
            if team { extra["GREENVN_REGISTRY_URL"] = url }
            if let p = location.password { extra["PGPASSWORD"] = p }
            return Binary.apiEnvironment(home: home, settings: sim.settings, extra: extra)
        }

        func allocate(_ cid: String, _ i: Int, env: [String: String]) -> [String] {
            ["allocate", "--a", "+9197\(String(format: "%08d", i))", "--b", "+9187\(String(format: "%08d", i))",
             "--usage", "twoway", "--connection-id", cid, "--json"]
        }

        func listed(_ env: [String: String]) async throws -> [JSONValue] {
            let r = try await Binary.runAsync(["list", "--json"], env: env)
            try #require(r.status == 0, "\(r.stderr)")
            return try JSONValue.parse(Data(r.stdout.utf8)).arrayValue ?? []
        }
    }

    @Test func setUpAllocateListAndCopyALaptopsRegistryTwice() async throws {
        let rig = try await Rig()
        let (asha, ravi, laptop) = (Binary.tempHome(), Binary.tempHome(), Binary.tempHome())
        defer { for h in [asha, ravi, laptop] { try? FileManager.default.removeItem(atPath: h) } }

        let setup = try await Binary.runAsync(["registry", "init", rig.url], env: rig.env(asha, operator: "asha", team: false))
        #expect(setup.status == 0, "\(setup.stderr)")
        #expect(setup.stdout.contains("export GREENVN_REGISTRY_URL='\(rig.url)'"), "\(setup.stdout)")

        let made = try await Binary.runAsync(rig.allocate("team-1", 1, env: [:]), env: rig.env(asha, operator: "asha"))
        #expect(made.status == 0, "\(made.stderr)")
        // Ravi, on another machine, sees it: the registry is the team's, not a local file
        let seen = try await rig.listed(rig.env(ravi, operator: "ravi"))
        #expect(seen.compactMap { $0["connection_id"]?.stringValue } == ["team-1"])

        // A laptop's own registry (SQLite) with two allocations of the same account, copied in twice
        for (i, cid) in ["laptop-1", "laptop-2"].enumerated() {
            let r = try await Binary.runAsync(rig.allocate(cid, 10 + i, env: [:]), env: rig.env(laptop, operator: "meera", team: false))
            #expect(r.status == 0, "\(r.stderr)")
        }
        let laptopEnv = rig.env(laptop, operator: "meera", team: false)
        let first = try await Binary.runAsync(["registry", "copy", "--to", rig.url], env: laptopEnv)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("allocations  2 copied, 0 already there"), "\(first.stdout)")
        #expect(first.stdout.contains("VN history   2 copied") && first.stdout.contains("audit log    2 copied"), "\(first.stdout)")
        let again = try await Binary.runAsync(["registry", "copy", "--to", rig.url], env: laptopEnv)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("allocations  0 copied, 2 already there"), "\(again.stdout)")
        #expect(again.stdout.contains("VN history   0 copied") && again.stdout.contains("audit log    0 copied"), "\(again.stdout)")

        let team = try await rig.listed(rig.env(ravi, operator: "ravi"))
        #expect(Set(team.compactMap { $0["connection_id"]?.stringValue }) == ["team-1", "laptop-1", "laptop-2"])
        #expect(try rig.sim.allAllocations().count == 3)
        await rig.sim.stop()
    }

    /// Asha and Ravi submit one connection_id at the same moment: one create reaches Lead Assist,
    /// the registry holds one row, and whoever came second is told who is sending it.
    @Test func twoOperatorsSubmittingOneConnectionIdAtOnceAllocateOnce() async throws {
        let rig = try await Rig(faults: FaultRates(latencyMs: 2_500))     // the first create is still on its way
        let (asha, ravi) = (Binary.tempHome(), Binary.tempHome())
        defer { for h in [asha, ravi] { try? FileManager.default.removeItem(atPath: h) } }
        let setup = try await Binary.runAsync(["registry", "init", rig.url], env: rig.env(asha, operator: "asha", team: false))
        try #require(setup.status == 0, "\(setup.stderr)")

        let both = try [("asha", asha), ("ravi", ravi)].map { name, home in
            try Spawned(rig.allocate("same-1", 1, env: [:]), env: rig.env(home, operator: name))
        }
        let results = await [both[0].wait(), both[1].wait()]
        #expect(rig.sim.requestCount(.create) == 1, "one create sent: \(results.map(\.stderr))")
        #expect(try rig.sim.allAllocations().filter { $0.connectionId == "same-1" }.count == 1)
        let rows = try await rig.listed(rig.env(asha, operator: "asha"))
        #expect(rows.filter { $0["connection_id"]?.stringValue == "same-1" }.count == 1)
        let won = results.filter { $0.status == 0 }
        let told = results.filter { $0.status == 2 }
        #expect(won.count == 1 && told.count == 1, "\(results.map { "\($0.status): \($0.stderr)" })")
        if let loser = told.first {
            #expect(loser.stderr.contains("being sent right now by asha on") || loser.stderr.contains("being sent right now by ravi on"),
                    "\(loser.stderr)")
        }
        await rig.sim.stop()
    }

    /// `kill -9` while a create is on its way: the next command of any operator sends it, once.
    @Test func aCreateKilledMidWayIsSentOnceByTheNextOperatorsCommand() async throws {
        let rig = try await Rig()
        let (asha, ravi) = (Binary.tempHome(), Binary.tempHome())
        defer { for h in [asha, ravi] { try? FileManager.default.removeItem(atPath: h) } }
        let setup = try await Binary.runAsync(["registry", "init", rig.url], env: rig.env(asha, operator: "asha", team: false))
        try #require(setup.status == 0, "\(setup.stderr)")

        rig.sim.inject(.stall(seconds: 60), on: .create)      // the create hangs until the client goes
        let dying = try Spawned(rig.allocate("killed-1", 1, env: [:]), env: rig.env(asha, operator: "asha"))
        #expect(await waitUntil(60) { rig.sim.requestCount(.create) == 1 })
        dying.kill9()
        let killed = await dying.wait()
        #expect(killed.status == 128 + SIGKILL)
        #expect(try rig.sim.allAllocations().isEmpty, "the stalled create was dropped with its client")

        // Ravi's next command (any that talks to Lead Assist) reconciles the team's outbox first.
        let next = try await Binary.runAsync(rig.allocate("ravi-1", 2, env: [:]), env: rig.env(ravi, operator: "ravi"))
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("an earlier create is confirmed: killed-1"), "\(next.stderr)")
        #expect(try rig.sim.allAllocations().filter { $0.connectionId == "killed-1" }.count == 1)
        let rows = try await rig.listed(rig.env(ravi, operator: "ravi"))
        #expect(Set(rows.compactMap { $0["connection_id"]?.stringValue }) == ["killed-1", "ravi-1"])
        await rig.sim.stop()
    }

    /// A password given in the URL is used, never shown: not in what greenvn prints, not in its
    /// log, not when the server cannot be reached, not in the line `registry init` tells operators to export.
    @Test func thePasswordInARegistryURLIsNeverPrintedOrLogged() async throws {
        let rig = try await Rig()
        let home = Binary.tempHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let secret = "S3cretPassw0rd-\(UUID().uuidString.prefix(6))"
        let url = "postgres://\(rig.location.user):\(secret)@\(rig.location.host):\(rig.location.port)/\(rig.location.database)?sslmode=disable"
        var env = rig.env(home, operator: "asha", team: false)
        env["GREENVN_LOG_LEVEL"] = "trace"
        let runs = [
            try await Binary.runAsync(["registry", "init", url], env: env),
            try await Binary.runAsync(rig.allocate("pw-1", 1, env: [:]) + ["--registry", url], env: env),
            try await Binary.runAsync(["list", "--registry", url], env: env),
            try await Binary.runAsync(["list", "--registry", "postgres://\(rig.location.user):\(secret)@127.0.0.1:1/nowhere"], env: env),
        ]
        #expect(runs[0].status == 0 && runs[1].status == 0 && runs[2].status == 0, "\(runs.map(\.stderr))")
        #expect(runs[2].stdout.contains("pw-1"))
        #expect(runs[3].status == 3 && runs[3].stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "\(runs[3].stderr)")
        let log = (try? String(contentsOfFile: env["GREENVN_HOME"]! + "/greenvn.log", encoding: .utf8)) ?? ""
        #expect(!log.isEmpty, "the log was written")
        for (i, r) in runs.enumerated() {
            #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "run \(i) showed the password")
        }
        #expect(!log.contains(secret), "the log holds the password")
        await rig.sim.stop()
    }
}
