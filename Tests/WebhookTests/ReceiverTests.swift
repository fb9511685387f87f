import AsyncHTTPClient
import Foundation
import GreenVNKit
import GreenVNSimulator
import GreenVNStore
import GreenVNWebhooks
import Logging
import Testing

/// `greenvn webhooks` for real: the simulator places calls and expires allocations and posts its
/// webhooks over loopback to the receiver, which writes them into a registry file.
@Suite(.serialized) struct ReceiverTests {
    final class Rig: @unchecked Sendable {
        let dir = NSTemporaryDirectory() + "greenvn-webhook-tests-" + UUID().uuidString
        let sim: Simulator
        let registry: SQLiteRegistry
        let ops: Operations
        let receiver: WebhookReceiver
        let url: String

        init(token: String? = nil) async throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            registry = try SQLiteRegistry(path: dir + "/registry.sqlite")
            sim = try Simulator(config: SimulatorConfig())
            try await sim.start()
            ops = Operations(api: LeadAssistClient(settings: sim.settings), registry: registry)
            receiver = WebhookReceiver(intake: WebhookIntake(operations: ops), token: token, logger: Logger(label: "test"))
            let port = try await receiver.start()
            url = "http://127.0.0.1:\(port)/webhooks" + (token.map { "?token=\($0)" } ?? "")
            _ = try await ops.api.updateSettings(AccountSettings(webhooks: WebhookEndpoints(all: url)))
        }

        func stop() async {
            await receiver.stop()
            await sim.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }

        /// POSTs `body` to the receiver; its status and answer.
        func post(_ body: Data, path: String = "/webhooks", query: String = "") async throws -> (Int, JSONValue?) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(receiver.port)\(path)\(query)")
            request.method = .POST
            request.body = .bytes(body)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), try? JSONValue.parse(data))
        }
    }

    /// Polls until `condition` holds (webhooks are delivered in the background).
    func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    @Test func aSimulatedCallArrivesOnItsAllocation() async throws {
        let rig = try await Rig()
        let s = try await rig.ops.allocate(AllocationRequest(connectionId: "wh-call", aparty: Party(["+919876543210"]),
                                                             bparty: Party(["+918765432109"]), usage: .twoway))
        _ = try await rig.sim.placeCall(SimulatedCall(greenvnId: s.id, from: "+918765432109", status: "completed", duration: 42))
        #expect(try await eventually { try rig.registry.calls(of: s.id, limit: 5).count == 1 })
        let call = try #require(try rig.registry.calls(of: s.id, limit: 5).first)
        #expect(call.from == "+918765432109" && call.to == "+919876543210" && call.talkSeconds == 42 && call.greenVN == s.allocation.greenVN)
        await rig.stop()
    }

    @Test func anExpiryArrivesAsTheVaultAndADeleteSendsNothing() async throws {
        let rig = try await Rig()
        let short = try await rig.ops.allocate(AllocationRequest(connectionId: "wh-exp", aparty: Party(["+919876543210"]),
                                                                 bparty: Party(["+918765432109"]), usage: .twoway,
                                                                 duration: try DeallocationDuration.parse("5m").get()))
        let other = try await rig.ops.allocate(AllocationRequest(connectionId: "wh-del", aparty: Party(["+919876543211"]),
                                                                 bparty: Party(["+918765432108"]), usage: .twoway))
        _ = try await rig.ops.deallocate(other.id)
        try rig.sim.advanceClock(seconds: 301)
        #expect(try await eventually { try rig.registry.allocation(id: short.id)?.allocation.state == .vault })
        let row = try #require(try rig.registry.allocation(id: short.id))
        #expect(row.releasedBy == "Lead Assist (expired)")
        #expect(try rig.registry.audit(for: other.id, limit: 10).filter { $0.action == "expired" }.isEmpty, "a DELETE is not an expiry")
        #expect(try rig.registry.allocation(id: other.id)?.releasedBy == Identity.described)
        await rig.stop()
    }

    static let hostile: [(String, String)] = [
        ("empty", ""), ("not JSON", "<html>hi</html>"), ("an array", "[1,2]"), ("unknown keys", #"{"hello": "world"}"#),
        ("call from a word", #"{"call_sid": "s-1", "dial_call_status": "completed", "greenvn_id": "x", "greenvn": "+918000000001", "from": "robert'); DROP TABLE audit;--", "to": "+918765432109", "start_time": "2026-11-22T10:00:00Z", "connection_id": "c"}"#),
        ("call with a negative duration", #"{"call_sid": "s-2", "dial_call_status": "completed", "on_call_duration": -5, "greenvn_id": "x", "greenvn": "+918000000001", "from": "+919876543210", "to": "+918765432109", "start_time": "2026-11-22T10:00:00Z", "connection_id": "c"}"#),
        ("deallocation without an id", #"{"state": "vault", "green_vn": "+918000000001", "aparty_numbers": [], "bparty_numbers": [], "usage": "twoway"}"#),
        ("nested 100 deep", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)),
        ("escape sequences", "{\"caller\": \"\u{1B}[2J\", \"pin\": 1}"),
    ]

    @Test func badPayloadsGetA4xxAndChangeNothing() async throws {
        let rig = try await Rig()
        let s = try await rig.ops.allocate(AllocationRequest(connectionId: "wh-bad", aparty: Party(["+919876543210"]),
                                                             bparty: Party(["+918765432109"]), usage: .twoway))
        let before = (try rig.registry.audit(for: nil, limit: 1_000).count, try rig.registry.counts(now: Date()))
        for (name, body) in Self.hostile {
            let (status, answer) = try await rig.post(Data(body.utf8))
            #expect((400..<500).contains(status), "\(name): \(status)")
            #expect(answer?["ok"]?.boolValue == false && answer?["error"]?.stringValue?.isEmpty == false, "\(name) says why")
        }
        let (big, _) = try await rig.post(Data(repeating: 0x20, count: Webhooks.maxBodyBytes + 1))
        #expect(big == 413)
        let (wrongKind, _) = try await rig.post(Data("{}".utf8), path: "/webhooks/teleport")
        #expect(wrongKind == 404)
        #expect(try rig.registry.audit(for: nil, limit: 1_000).count == before.0)
        #expect(try rig.registry.counts(now: Date()) == before.1)
        #expect(try rig.registry.calls(of: s.id, limit: 5).isEmpty)
        await rig.stop()
    }

    @Test func withATokenOnlyTheSettingsURLGetsIn() async throws {
        let rig = try await Rig(token: "s3cret-token")
        let s = try await rig.ops.allocate(AllocationRequest(connectionId: "wh-tok", aparty: Party(["+919876543210"]),
                                                             bparty: Party(["+918765432109"]), usage: .twoway))
        let payload = Webhooks.body(.callerVerified(CallerVerifiedEvent(caller: "+917000000001", pin: 1, greenVN: s.allocation.greenVN,
                                                                        greenvnId: s.id, connectionId: "wh-tok")))
        #expect(try await rig.post(payload).0 == 401)
        #expect(try await rig.post(payload, query: "?token=s3cret-tokeN").0 == 401)
        #expect(try await rig.post(payload, query: "?token=s3cret-token").0 == 200)
        // the simulator posts to the URL with the token in it
        _ = try await rig.sim.placeCall(SimulatedCall(greenvnId: s.id, from: "+919876543210", status: "completed", duration: 5))
        #expect(try await eventually { try rig.registry.calls(of: s.id, limit: 5).count == 1 })
        await rig.stop()
    }
}

/// Stopping a served application is a graceful shutdown: nothing is logged as an error (a
/// cancelled Hummingbird task used to log "Waiting on child channel: CancellationError()").
@Suite struct ServingStopTests {
    final class Captured: LogHandler, @unchecked Sendable {
        static let lock = NSLock()
        nonisolated(unsafe) static var lines: [(Logger.Level, String)] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            Self.lock.withLock { Self.lines.append((level, message.description)) }
        }
    }

    @Test func stoppingTheReceiverLogsNoError() async throws {
        let dir = NSTemporaryDirectory() + "greenvn-serving-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try SQLiteRegistry(path: dir + "/registry.sqlite")
        let ops = Operations(api: LeadAssistClient(settings: ConnectionSettings(baseURL: "http://127.0.0.1:9/v1", accountSID: "S", apiKey: "k", apiToken: "t")),
                             registry: registry)
        let receiver = WebhookReceiver(intake: WebhookIntake(operations: ops), logger: Logger(label: "serving-test", factory: { _ in Captured() }))
        let port = try await receiver.start()
        #expect(port > 0)
        await receiver.stop()
        let errors = Captured.lock.withLock { Captured.lines.filter { $0.0 >= .error } }
        #expect(errors.isEmpty, "\(errors)")
    }
}
