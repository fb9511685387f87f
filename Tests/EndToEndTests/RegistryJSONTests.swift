import Foundation
import GreenVNKit
import Testing

/// `list --json` and `show` hide nothing the registry knows: rows whose greenvn_id is unknown
/// (a create pending, or allocated with its answer lost) are there with `greenvn_id: null` and
/// their `registry_status`, and `show --connection-id` finds them.
@Suite(.serialized) struct NothingHidden {
    /// Lead Assist as seen by an operator whose first create of "lost-1" got no answer (503) and
    /// whose retry is told it exists (409, code 18): allocated, id unknown. Others are answered.
    static func server() throws -> TestServer {
        let echo = TestServer.echo(vn: "+918047110001")
        let lock = NSLock()
        nonisolated(unsafe) var lostSeen = 0
        return try TestServer { head, body in
            let cid = (try? JSONValue.parse(body))?["connection_id"]?.stringValue
            guard head.hasPrefix("POST"), cid == "lost-1" else { return echo(head, body) }
            let n = lock.withLock { lostSeen += 1; return lostSeen }
            return n == 1 ? .json(503, #"{"success":false,"status":503,"code":0,"message":"busy"}"#)
                          : .json(409, #"[{"success":false,"status":409,"code":18,"message":"GreenVN already exists for this connection_id"}]"#)
        }
    }

    static func rows(_ r: Binary.Result) throws -> [JSONValue] {
        try #require(try JSONValue.parse(Data(r.stdout.utf8)).arrayValue, "not a JSON array: \(r.stdout)")
    }

    @Test func rowsWithoutAGreenvnIdAreListedFoundAndExplained() throws {
        let server = try Self.server()
        defer { server.stop() }
        let env = RawBinary.env(home: Binary.tempHome(), server: server, extra: ["GREENVN_MAX_ATTEMPTS": "1"])
        let known = try Binary.run(["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway",
                                    "--connection-id", "known-1", "--duration", "600s", "--region", "KA", "--type", "mobile", "--json"], env: env)
        #expect(known.status == 0, "\(known.stderr)")
        // allocate --json stays the API's object: nothing of greenvn's own.
        let answered = try JSONValue.parse(Data(known.stdout.utf8))
        #expect(answered["green_vn"] == .string("+918047110001") && answered["registry_status"] == nil && answered["expires_at"] == nil)
        let lost = try Binary.run(["allocate", "--a", "+919111111111", "--b", "+918222222222", "--usage", "oneway",
                                   "--connection-id", "lost-1", "--json"], env: env)
        #expect(lost.status == 3, "\(lost.stderr)")

        // No network: the pending create is a row like the others.
        let listed = try Binary.run(["list", "--json"], env: env)
        #expect(listed.status == 0 && listed.stderr.isEmpty, "\(listed.stderr)")
        let rows = try Self.rows(listed)
        #expect(rows.count == 2)
        let pending = try #require(rows.first { $0["connection_id"] == .string("lost-1") })
        #expect(pending["greenvn_id"] == .null && pending["green_vn"] == .null)
        #expect(pending["registry_status"] == .string("pending"))
        #expect(pending["usage"] == .string("oneway") && pending["aparty_numbers"] == .array([.string("+919111111111")]))
        let confirmed = try #require(rows.first { $0["connection_id"] == .string("known-1") })
        #expect(confirmed["greenvn_id"] == .string("id-known-1") && confirmed["registry_status"] == .string("known"))
        #expect(confirmed["duration"] == .string("600s"))
        #expect(confirmed["preferences"] == .object(["region": .string("KA"), "type": .string("mobile")]))
        let expires = try #require(confirmed["expires_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
        let created = try #require(confirmed["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
        #expect(abs(expires.timeIntervalSince(created) - 600) <= 1, "expires_at is created_at + the asked 600s")

        // --filter and --state apply to it as to the others.
        let filtered = try Self.rows(try Binary.run(["list", "--json", "--filter", "lost"], env: env))
        #expect(filtered.map { $0["connection_id"] } == [.string("lost-1")])
        #expect(try Self.rows(try Binary.run(["list", "--json", "--state", "vault"], env: env)).isEmpty)
        #expect(try Self.rows(try Binary.run(["list", "--json", "--state", "active"], env: env)).count == 2)

        // show --connection-id opens a session: its reconcile re-sends the create, told it
        // exists (code 18): allocated, id unknown. Found and explained, exit 0.
        let shown = try Binary.run(["show", "--connection-id", "lost-1", "--json"], env: env)
        #expect(shown.status == 0, "\(shown.stderr)")
        let row = try JSONValue.parse(Data(shown.stdout.utf8))
        #expect(row["registry_status"] == .string("id_unknown") && row["greenvn_id"] == .null)
        let human = try Binary.run(["show", "lost-1"], env: env)
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("greenvn_id unknown") && human.stdout.contains("greenvn import"), "\(human.stdout)")

        // Acting on it needs its greenvn_id: the way out is named, nothing is sent.
        let sent = server.requestCount
        let swap = try Binary.run(["swap", "lost-1"], env: env)
        #expect(swap.status == 2 && swap.stderr.contains("greenvn_id") && swap.stderr.contains("greenvn import"), "\(swap.stderr)")
        #expect(server.requestCount == sent)
        let after = try Self.rows(try Binary.run(["list", "--json", "--filter", "lost-1"], env: env))
        #expect(after.first?["registry_status"] == .string("id_unknown"))
    }

    @Test func showByConnectionIdOfAKnownRowRefreshesIt() throws {
        let server = try TestServer(TestServer.echo(vn: "+918047110001"))
        defer { server.stop() }
        let env = RawBinary.env(home: Binary.tempHome(), server: server)
        #expect(try Binary.run(["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway",
                                "--connection-id", "k-9"], env: env).status == 0)
        let r = try Binary.run(["show", "--connection-id", "k-9", "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let row = try JSONValue.parse(Data(r.stdout.utf8))
        #expect(row["greenvn_id"] == .string("id-k-9") && row["registry_status"] == .string("known"))
        #expect(row["duration"] == .null && row["preferences"] == .object([:]), "nothing asked: null duration, no preferences")
        #expect(server.requests.last?.head.hasPrefix("GET /v1/tenants/acme/greenvn/id-k-9") == true)
        #expect(row["released_at"] == .null && row["released_by"] == .null)

        // Deallocated by an operator: the row says when and by whom.
        var asha = env
        asha["GREENVN_OPERATOR"] = "asha"
        #expect(try Binary.run(["deallocate", "k-9", "--yes"], env: asha).status == 0)
        let released = try JSONValue.parse(Data(try Binary.run(["show", "--connection-id", "k-9", "--json"], env: env).stdout.utf8))
        #expect(released["state"] == .string("vault"))
        #expect(released["released_by"]?.stringValue?.hasPrefix("asha") == true, "\(released)")
        #expect(released["released_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) } != nil, "\(released)")
    }

    @Test(arguments: [
        (["show", "--connection-id", "nobody"], "connection_id"),
        (["show"], "greenvn_id"),
        (["show", "x-1", "--connection-id", "x-1"], "connection_id"),
        (["show", "--connection-id", "a b"], "connection_id"),
    ])
    func showRefusesWhatNamesNoRow(_ c: ([String], String)) throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let r = try Binary.run(c.0, env: RawBinary.env(home: Binary.tempHome(), server: server))
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains(c.1), "\(c.1) not named: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(server.requestCount == 0)
    }
}
