import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GreenVNKit
import PostgresTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The service's events as an operator runs them: `greenvn sim --webhook-url` and
/// `greenvn webhooks` as processes of their own, the CLI beside them on one registry. A call the
/// simulator places reaches the receiver; an allocation the simulator expires is in the vault of
/// the registry the CLI reads, released by Lead Assist, without anybody running a command.
@Suite(.serialized) struct WebhookProcesses {
    /// A long-running greenvn whose stdout is read as it comes (its banner, the receiver's lines).
    final class Server: @unchecked Sendable {
        let process = Process()
        private let pipe = Pipe()
        private let lock = NSLock()
        private var text = ""

        init(_ args: [String], env: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: try Binary.executable())
            process.arguments = args
            process.environment = env
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
                let chunk = h.availableData
                guard let self, !chunk.isEmpty else { return }
                self.lock.withLock { self.text += String(decoding: chunk, as: UTF8.self) }
            }
            try process.run()
        }

        var output: String { lock.withLock { text } }

        /// Waits until the output holds `needle`; false after `seconds` or when the process ended.
        func waitFor(_ needle: String, seconds: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if output.contains(needle) { return true }
                if !process.isRunning { return output.contains(needle) }
                usleep(50_000)
            }
            return output.contains(needle)
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            pipe.fileHandleForReading.readabilityHandler = nil
        }
    }

    /// A POST to the simulator's control endpoints with its credentials.
    static func control(_ base: String, _ path: String, _ body: String) async throws -> (Int, JSONValue?) {
        let root = base.replacingOccurrences(of: "/v1", with: "")
        var request = URLRequest(url: URL(string: root + path)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Basic " + Data("sim-key:sim-token".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONValue.parse(data))
    }

    @Test func aSimulatedCallAndAnExpiryReachTheRegistryThroughTheReceiver() async throws {
        let home = Binary.tempHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let hookPort = try #require(LoopbackPort.free(), "a free loopback port for the receiver")
        let sim = try Server(["sim", "--port", "0", "--webhook-url", "http://127.0.0.1:\(hookPort)/webhooks"],
                             env: Binary.environment(home: home + "/sim"))
        defer { sim.stop() }
        #expect(sim.waitFor("EXOTEL_API_TOKEN="), "the simulator's banner: \(sim.output)")
        #expect(sim.output.contains("webhooks: every event goes to the --webhook-url"), "\(sim.output)")
        var printed: [String: String] = [:]
        for word in sim.output.split(whereSeparator: \.isWhitespace) where word.contains("=") {
            let kv = word.split(separator: "=", maxSplits: 1).map(String.init)
            printed[kv[0]] = kv[1]
        }
        let base = try #require(printed["GREENVN_BASE_URL"], "\(sim.output)")
        let env = Binary.environment(home: home, extra: printed.merging(["GREENVN_OPERATOR": "asha"]) { $1 })

        let receiver = try Server(["webhooks", "--port", String(hookPort)], env: env)
        defer { receiver.stop() }
        #expect(receiver.waitFor("Receiving Lead Assist webhooks on http://127.0.0.1:\(hookPort)/webhooks"), "\(receiver.output)")

        let made = try Binary.run(["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway",
                                   "--duration", "10m", "--connection-id", "hooks-1", "--json"], env: env)
        try #require(made.status == 0, "\(made.stderr)")
        let id = try #require(try JSONValue.parse(Data(made.stdout.utf8))["greenvn_id"]?.stringValue)

        // A call through the VN: the simulator posts its event, the receiver records it on the allocation.
        let (placed, answer) = try await Self.control(base, "/_sim/calls",
                                                     #"{"greenvn_id": "\#(id)", "from": "+918765432109", "status": "completed", "duration": 42}"#)
        #expect(placed == 200 && answer?["result"]?.stringValue == "connected", "\(placed) \(String(describing: answer))")
        #expect(receiver.waitFor("call_complete: call recorded on \(id)"), "the receiver logs each webhook it took: \(receiver.output)")
        // show lists it: the caller, the other party, how it ended and how long they talked
        let shown = try Binary.run(["show", id, "--json"], env: env)
        let calls = try JSONValue.parse(Data(shown.stdout.utf8))["calls"]?.arrayValue ?? []
        #expect(calls.count == 1, "\(shown.stdout)")
        #expect(calls.first?["from"]?.stringValue == "+918765432109" && calls.first?["to"]?.stringValue == "+919876543210", "\(calls)")
        #expect(calls.first?["status"]?.stringValue == "completed" && calls.first?["on_call_duration"] == .int(42), "\(calls)")
        let text = try Binary.run(["show", id], env: env).stdout
        #expect(text.contains("Calls (from webhooks, newest first)") && text.contains("+918765432109 → +919876543210  completed  talked 42s"), "\(text)")

        // Ten minutes pass on the simulator's clock: it expires the allocation and says so.
        let (advanced, _) = try await Self.control(base, "/_sim/clock", #"{"advance_seconds": 601}"#)
        #expect(advanced == 200)
        var vaulted: JSONValue?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            // list reads the registry alone (show would ask Lead Assist itself)
            let r = try Binary.run(["list", "--state", "vault", "--json"], env: env)
            vaulted = (try? JSONValue.parse(Data(r.stdout.utf8)))?.arrayValue?.first { $0["greenvn_id"]?.stringValue == id }
            if vaulted?["state"]?.stringValue == "vault" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(vaulted?["state"]?.stringValue == "vault", "the deallocation webhook moved it to the vault: \(String(describing: vaulted))")
        #expect(vaulted?["released_by"]?.stringValue == "Lead Assist (expired)", "\(String(describing: vaulted))")
        // Nothing was asked of Lead Assist for it: the registry learned it from the webhook alone.
        let log = try String(contentsOfFile: home + "/data/greenvn.log", encoding: .utf8)
        #expect(!log.contains("deallocate ok"), "\(log)")
    }
}
