import Foundation
import GreenVNKit
import Testing

/// `show`, `swap`, `deallocate` and `import` take a greenvn_id, a VN or a connection_id the
/// registry knows; the real binary against an echo server, which gives every create the same VN.
@Suite(.serialized) struct IdsEverywhere {
    static let vn = "+918047110001"

    /// The greenvn_id of each request's path, in order (e.g. "GET id-order-1").
    static func calls(_ server: TestServer) -> [String] {
        server.requests.map { r in
            let parts = r.head.split(separator: " ")
            let path = parts.count > 1 ? parts[1].split(separator: "/").map(String.init) : []
            let id = path.firstIndex(of: "greenvn").flatMap { $0 + 1 < path.count ? path[$0 + 1] : nil } ?? ""
            return "\(parts.first ?? "") \(id)" + (path.last == "vn" ? "/vn" : "")
        }
    }

    static func allocate(_ cid: String, env: [String: String]) throws {
        let r = try Binary.run(["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway",
                                "--connection-id", cid, "--json"], env: env)
        #expect(r.status == 0, "allocate \(cid): \(r.stderr)")
    }

    @Test func aConnectionIdOrAVNNamesTheAllocation() throws {
        let server = try TestServer(TestServer.echo(vn: Self.vn))
        defer { server.stop() }
        let env = RawBinary.env(home: Binary.tempHome(), server: server)
        try Self.allocate("order-1", env: env)

        let byCid = try Binary.run(["show", "order-1", "--json"], env: env)
        #expect(byCid.status == 0, "\(byCid.stderr)")
        #expect(try JSONValue.parse(Data(byCid.stdout.utf8))["greenvn_id"] == .string("id-order-1"))
        // A bare 10-digit mobile is the same VN once normalised.
        let byVN = try Binary.run(["show", "8047110001", "--json"], env: env)
        #expect(byVN.status == 0, "\(byVN.stderr)")
        #expect(try JSONValue.parse(Data(byVN.stdout.utf8))["connection_id"] == .string("order-1"))

        let swapped = try Binary.run(["swap", "order-1", "--json"], env: env)
        #expect(swapped.status == 0, "\(swapped.stderr)")
        let imported = try Binary.run(["import", "order-1"], env: env)
        #expect(imported.status == 0, "\(imported.stderr)")
        let gone = try Binary.run(["deallocate", "order-1", "--yes", "--json"], env: env)
        #expect(gone.status == 0, "\(gone.stderr)")
        #expect(try JSONValue.parse(Data(gone.stdout.utf8))["state"] == .string("vault"))
        // Every call went to the greenvn_id the registry holds for that connection_id.
        #expect(Self.calls(server) == ["POST ", "GET id-order-1", "GET id-order-1", "PUT id-order-1/vn",
                                       "GET id-order-1", "DELETE id-order-1"])
    }

    @Test func aVNTwoLiveAllocationsShareIsAmbiguousAndNothingIsSent() throws {
        let server = try TestServer(TestServer.echo(vn: Self.vn))
        defer { server.stop() }
        let env = RawBinary.env(home: Binary.tempHome(), server: server)
        try Self.allocate("order-1", env: env)
        try Self.allocate("order-2", env: env)
        let sent = server.requestCount
        for args in [["show", Self.vn], ["swap", Self.vn], ["deallocate", Self.vn, "--yes"], ["import", Self.vn]] {
            let r = try Binary.run(args, env: env)
            #expect(r.status == 2, "\(args): exit \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("greenvn_id") && r.stderr.contains("2 allocations"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("id-order-1") && r.stderr.contains("id-order-2"), "the candidates are listed: \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(server.requestCount == sent, "nothing was sent for an ambiguous id")
    }

    @Test func aVNWhoseOtherAllocationIsInTheVaultNamesTheLiveOne() throws {
        let server = try TestServer(TestServer.echo(vn: Self.vn))
        defer { server.stop() }
        let env = RawBinary.env(home: Binary.tempHome(), server: server)
        try Self.allocate("old-1", env: env)
        #expect(try Binary.run(["deallocate", "id-old-1", "--yes"], env: env).status == 0)
        try Self.allocate("new-1", env: env)
        let r = try Binary.run(["show", Self.vn, "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONValue.parse(Data(r.stdout.utf8))["greenvn_id"] == .string("id-new-1"))
    }

    @Test func anIdTheRegistryDoesNotKnowGoesToTheAPIAsAGreenvnId() throws {
        let server = try TestServer(TestServer.echo(vn: Self.vn))
        defer { server.stop() }
        let env = RawBinary.env(home: Binary.tempHome(), server: server)
        let r = try Binary.run(["show", "f3c1e2d4-0000-4000-8000-000000000001", "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.calls(server) == ["GET f3c1e2d4-0000-4000-8000-000000000001"])
    }
}
