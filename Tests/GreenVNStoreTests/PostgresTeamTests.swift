import Foundation
import GreenVNKit
import Logging
import PostgresTestSupport
import Testing
@testable import GreenVNPostgres
@testable import GreenVNStore

/// What only a team registry does: several operators (here: several handles, each with its own
/// connections and presence, as processes have) on one database at once.
@Suite(.serialized) struct PostgresTeamTests {
    static func handle(_ db: TestDB, operator name: String) throws -> PostgresRegistry {
        var options = PostgresRegistry.Options()
        options.operatorName = name
        let r = try PostgresRegistry(location: db.location!, target: PostgresTestServer.target, options: options, logger: PostgresTestServer.logger)
        Databases.track(r, on: db.location!)
        return r
    }

    /// Transactions on one key wait for each other across connections (else both would read
    /// "none yet" and both write).
    @Test func aKeyLockSerialisesTwoOperatorsTransactions() async throws {
        let db = try TestDB(.postgres)
        let (a, b) = (db.registry, try db.another())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<12 {
                let r = i % 2 == 0 ? a : b
                group.addTask {
                    try await r.write { tx in
                        try tx.db.lock(["order-77"])
                        let n = try tx.db.query("SELECT count(*) AS n FROM audit WHERE target = ?", ["order-77"]).first?.int("n") ?? 0
                        _ = try tx.db.query("SELECT pg_sleep(0.02)", [])       // a window for the other to slip in
                        if n == 0 { try tx.audit("claim", target: "order-77", outcome: "ok", now: Date()) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try a.audit(for: "order-77", limit: 50).count == 1)
    }

    /// Asha's create is on its way when Ravi submits the same connection_id: Ravi is told who is
    /// sending it, nothing is sent twice, and the registry holds one row.
    @Test func aColleagueSendingTheSameConnectionIdIsNamedAndNothingIsSentTwice() async throws {
        let db = try TestDB(.postgres)
        let (asha, ravi) = (try Self.handle(db, operator: "asha"), try Self.handle(db, operator: "ravi"))
        let fake = FakeAPI()
        let gated = GatedAPI(fake)
        let r = Fixture.request("team-order-1")
        let first = Task { try await Operations(api: gated, registry: asha).allocate(r) }
        #expect(await eventually(30) { gated.waiting == 1 })
        InFlight.remove(r.connectionId)     // Ravi's greenvn is another process: it never saw Asha's in-flight set
        do {
            _ = try await Operations(api: fake, registry: ravi).allocate(r)
            Issue.record("Ravi's create of a connection_id Asha is sending went through")
        } catch let e as GreenVNError {
            #expect(e.description.contains("being sent right now by asha on \(Identity.host)"), "\(e)")
        }
        gated.open()
        let allocated = try await first.value
        #expect(fake.callCount("create") == 1)
        #expect(try ravi.count(ListQuery(state: .all), now: Date()) == 1)
        #expect(try ravi.allocation(connectionId: r.connectionId) == allocated)
        #expect(try ravi.outbox().isEmpty)
        // now that it is known, Ravi's repeat answers with it and sends nothing
        #expect(try await Operations(api: fake, registry: ravi).allocate(r).id == allocated.id)
        #expect(fake.callCount("create") == 1)
        #expect(try ravi.audit(for: allocated.id, limit: 10).map(\.operatorName) == ["asha"])
    }

    /// A process killed (-9) while its create was on its way: its presence lock goes with its
    /// connection, and the next reconcile — any operator's — sends the create, once.
    @Test func aLeaseHeldByAKilledProcessIsTakenOverByTheNextReconcile() async throws {
        let db = try TestDB(.postgres)
        let location = try #require(db.location)
        let psql = try #require(PostgresTestServer.binaries().map { $0 + "/psql" }, "psql is installed with the server")
        let api = FakeAPI()
        let ops = Operations(api: api, registry: db.registry)
        let dying = LeaseOwner(operatorName: "meera", host: "ops-2", token: Int64.random(in: 1...Int64.max))
        try await db.registry.plant { tx in
            try tx.insertOutbox(Fixture.request("killed-1"), now: Date())
            try tx.lease("killed-1", to: dying)
        }
        var env = ProcessInfo.processInfo.environment
        if let p = location.password { env["PGPASSWORD"] = p }
        // psql reads its stdin, which stays open: it takes the lock, then idles like greenvn's presence connection
        let child = try ChildProcess([psql, "-h", location.host, "-p", String(location.port), "-U", location.user, "-d", location.database],
                                     input: "SELECT pg_advisory_lock(\(dying.token));\n", environment: env)
        let alive: @Sendable () -> Bool = { (try? blocking { try await db.registry.read { try $0.db.isAlive(dying) } }) ?? false }
        #expect(await eventually(30) { alive() }, "the child holds its presence lock")

        let whileAlive = await ops.reconcile()
        #expect(whileAlive.stillPending == 1 && whileAlive.confirmed.isEmpty)
        #expect(api.callCount("create") == 0, "a live process's create is left to it")

        child.kill9()
        #expect(await eventually(30) { !alive() }, "the server released the killed process's lock")
        let afterKill = await ops.reconcile()
        #expect(afterKill.confirmed.map(\.connectionId) == ["killed-1"])
        #expect(api.callCount("create") == 1)
        #expect(try db.registry.outbox().isEmpty)
        #expect(try db.registry.allocation(connectionId: "killed-1")?.status == .known)
    }

    /// Eight processes open one new database at the same moment: the schema is made once, every
    /// one of them opens it and writes.
    @Test func manyOpenersOfANewDatabaseMigrateItOnce() throws {
        let lifetime = TestDB.Lifetime()
        let location = try Databases.create(for: lifetime, migrated: false)
        let failures = GreenVNStore.Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let r = try PostgresRegistry(location: location, target: PostgresTestServer.target, logger: PostgresTestServer.logger)
                defer { r.close() }
                try blocking { try await r.remember(Fixture.allocation("id-\(i)", cid: "c-\(i)", vn: "+91800000000\(i)"), how: "import") }
            } catch {
                failures.update { $0.append("opener \(i): \(error)") }
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value)")
        let r = try PostgresRegistry(location: location, target: PostgresTestServer.target, logger: PostgresTestServer.logger)
        defer { r.close() }
        #expect(try r.count(ListQuery(state: .all)) == 8)
        let versions = try blocking { try await r.read { try $0.db.query("SELECT version FROM schema_version", []).map { $0.int("version") } } }
        #expect(versions == [Int64(PostgresSchema.latest)])
        withExtendedLifetime(lifetime) {}
    }

    /// A database belongs to the Lead Assist account it was first opened for.
    @Test func aDatabaseBoundToOneAccountRefusesAnother() throws {
        let db = try TestDB(.postgres)
        let other = RegistryTarget(host: "leadassist.exotel.in", accountSID: "ACME2")
        #expect(throws: PostgresRegistryError.self) { try PostgresRegistry(location: db.location!, target: other) }
        do {
            _ = try PostgresRegistry(location: db.location!, target: other, logger: PostgresTestServer.logger)
        } catch let e as PostgresRegistryError {
            #expect(e.kind == .otherTarget)
            #expect(e.message.contains(PostgresTestServer.target.key) && e.message.contains("account ACME2"), "names both: \(e.message)")
        }
        #expect(throws: Never.self) { try db.another() }
    }

    /// Opening a registry that is not there says what to do.
    @Test func openingErrorsSayWhatToDo() throws {
        let server = try PostgresTestServer.location()
        do {
            _ = try PostgresRegistry(location: server.with(database: "gvt_no_such_db"), target: PostgresTestServer.target, logger: PostgresTestServer.logger)
            Issue.record("opened a database that does not exist")
        } catch let e as PostgresRegistryError {
            #expect(e.kind == .noSuchDatabase && e.message.contains("greenvn registry init"), "\(e.message)")
        }
        var closed = server
        closed.port = 1
        do {
            _ = try PostgresRegistry(location: closed, target: PostgresTestServer.target, logger: PostgresTestServer.logger)
            Issue.record("opened a registry on a closed port")
        } catch let e as PostgresRegistryError {
            #expect(e.kind == .unreachable && e.message.contains("Check the host and port"), "\(e.message)")
        }
    }

    /// Another operator's write reaches an observer by NOTIFY; so does a reconnect of the feed
    /// (changes made while it was down were not notified: the console reloads).
    @Test func anotherOperatorsWriteAndAReconnectReachTheObserver() async throws {
        let db = try TestDB(.postgres)
        let watcher = db.registry
        let colleague = try Self.handle(db, operator: "ravi")
        let fired = Flag()
        let firstAt = GreenVNStore.Locked<Date?>(nil)
        let token = watcher.observe {
            fired.hit()
            firstAt.update { if $0 == nil { $0 = Date() } }
        }
        let written = Date()
        try await colleague.remember(Fixture.allocation("x", cid: "c", vn: "+918000000001"), how: "import")
        #expect(await eventually(10) { fired.count >= 1 })
        if let at = firstAt.value { print("LISTEN/NOTIFY: another handle's commit observed after \(Int(at.timeIntervalSince(written) * 1000)) ms") }

        let before = fired.count
        try await colleague.write { tx in
            _ = try tx.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'greenvn listener%' AND datname = current_database()", [])
        }
        #expect(await eventually(10) { fired.count > before }, "a reconnected feed tells the observer to reload")
        withExtendedLifetime(token) {}
    }

    /// Two operators allocating at once keep the counters exact (trigger-kept deltas, no shared row).
    @Test func concurrentWritersKeepTheCountersExact() async throws {
        let db = try TestDB(.postgres)
        let (a, b) = (db.registry, try db.another())
        let t = Fixture.t0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<120 {
                let r = i % 2 == 0 ? a : b
                group.addTask {
                    let state: AllocationState = i % 5 == 0 ? .vault : .active
                    try await r.remember(Fixture.allocation("w-\(i)", cid: "wc-\(i)", vn: "+9180000\(String(format: "%05d", i))", state: state),
                                         how: "allocate", request: Fixture.request("wc-\(i)", duration: i % 3 == 0 ? "600s" : "1d"), now: t)
                }
            }
            try await group.waitForAll()
        }
        for dt in [0.0, 600, 90_000] { try checkCounts(a, now: t.addingTimeInterval(dt)) }
        #expect(try b.counts(now: t) == (try a.counts(now: t)))
    }
}

/// Lead Assist whose create waits until the test opens the gate (a create "on its way").
final class GatedAPI: LeadAssistAPI, @unchecked Sendable {
    private let inner: FakeAPI
    private let state = GreenVNStore.Locked((open: false, waiting: 0))
    init(_ inner: FakeAPI) { self.inner = inner }

    var waiting: Int { state.value.waiting }
    func open() { state.update { $0.open = true } }

    func create(_ r: AllocationRequest) async throws -> Allocation {
        state.update { $0.waiting += 1 }
        while !state.value.open { try await Task.sleep(for: .milliseconds(10)) }
        return try await inner.create(r)
    }
    func details(_ id: String) async throws -> Allocation { try await inner.details(id) }
    func swap(_ id: String, _ r: SwapRequest, knownVN: String?) async throws -> Allocation { try await inner.swap(id, r, knownVN: knownVN) }
    func updateParties(_ id: String, _ u: PartyUpdate) async throws -> Allocation { try await inner.updateParties(id, u) }
    func deallocate(_ id: String) async throws -> Allocation { try await inner.deallocate(id) }
    func settings() async throws -> AccountSettings { try await inner.settings() }
    func updateSettings(_ s: AccountSettings) async throws -> AccountSettings { try await inner.updateSettings(s) }
}
