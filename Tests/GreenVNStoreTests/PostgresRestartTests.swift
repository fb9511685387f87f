import Foundation
import GreenVNKit
import Logging
import PostgresTestSupport
import Testing
@testable import GreenVNPostgres
@testable import GreenVNStore

/// The team's server restarts (an upgrade, a failover) while operators work: their writes and
/// reads wait and go through, are reported in the log, and nothing is lost or doubled. Each test
/// has a server of its own, which it stops and starts.
@Suite(.serialized) struct PostgresRestartTests {
    struct Rig {
        let server: ThrowawayServer
        let location: PostgresLocation
        let log = CapturedLog()
        let registry: PostgresRegistry

        init(retrySeconds: Double = 30) throws {
            server = try ThrowawayServer()
            location = server.location.with(database: "team")
            try PostgresRegistry.createDatabase(location, template: nil, logger: PostgresTestServer.logger)
            var options = PostgresRegistry.Options()
            options.retrySeconds = retrySeconds
            options.connectTimeout = 2
            let log = log
            registry = try PostgresRegistry(location: location, target: PostgresTestServer.target, options: options,
                                            logger: Logger(label: "greenvn.registry") { _ in log })
        }
    }

    @Test func writesAndReadsDuringARestartAreRetriedAndNothingIsLost() async throws {
        let rig = try Rig()
        let r = rig.registry
        let fired = Flag()
        let token = r.observe { fired.hit() }
        let n = 60
        let writer = Task {
            for i in 0..<n {
                try await r.remember(Fixture.allocation("rs-\(i)", cid: "rsc-\(i)", vn: "+9180000\(String(format: "%05d", i))"),
                                     how: "allocate", request: Fixture.request("rsc-\(i)"), now: Fixture.t0)
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(await eventually(60) { ((try? r.count(ListQuery(state: .all), now: Fixture.t0)) ?? 0) >= 10 })
        try rig.server.stop()
        let downAt = fired.count
        try await Task.sleep(for: .milliseconds(1_500))     // down a while: writes wait, retrying
        try rig.server.start()
        try await writer.value                              // every write went through
        #expect(try r.count(ListQuery(state: .all), now: Fixture.t0) == n)
        for i in [0, n / 2, n - 1] {
            #expect(try r.history(of: "rs-\(i)").count == 1, "recorded once, never twice")
        }
        try checkCounts(r, now: Fixture.t0)
        #expect(rig.log.contains(.warning, "registry connection lost"), "reported: \(rig.log.lines)")
        #expect(await eventually(30) { fired.count > downAt }, "the change feed came back and told the observer")
        withExtendedLifetime(token) {}
    }

    /// Down for longer than the registry waits: the write fails as unreachable (the message says
    /// so and what to do), nothing half-done; once the server is back the same handle works.
    @Test func aServerDownForLongIsReportedAsUnreachableAndTheHandleRecovers() async throws {
        let rig = try Rig(retrySeconds: 2)
        let r = rig.registry
        try await r.remember(Fixture.allocation("before", cid: "cb", vn: "+918000000001"), how: "import")
        try rig.server.stop()
        do {
            try await r.remember(Fixture.allocation("during", cid: "cd", vn: "+918000000002"), how: "import")
            Issue.record("a write succeeded with the server down")
        } catch let e as RegistryError {
            #expect(e.unreachable && e.message.contains("cannot be reached") && e.message.contains("Nothing was lost"), "\(e.message)")
        }
        #expect(throws: RegistryError.self) { try r.allocation(id: "before") }
        try rig.server.start()
        try await r.remember(Fixture.allocation("after", cid: "ca", vn: "+918000000003"), how: "import")
        #expect(try r.page(ListQuery(state: .all, sort: .created, descending: false), offset: 0, limit: 10).map(\.id).sorted() == ["after", "before"])
    }
}

/// A log handler that keeps what it is told (the registry reports reconnects as warnings).
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let store = GreenVNStore.Locked<[(Logger.Level, String)]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        store.update { $0.append((level, message.description)) }
    }

    var lines: [String] { store.value.map { "\($0.0): \($0.1)" } }
    func contains(_ level: Logger.Level, _ text: String) -> Bool { store.value.contains { $0.0 == level && $0.1.contains(text) } }
}
