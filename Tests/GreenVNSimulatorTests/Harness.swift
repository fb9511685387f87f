import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

/// A started simulator plus raw-HTTP helpers for its API.
struct Harness {
    let sim: Simulator
    var port: Int { sim.port }
    var root: String { "/v1/tenants/\(sim.config.accountSID)/greenvn" }

    enum Auth { case good, none, custom(String, String) }

    /// The socket work runs on its own thread: blocking recv must not starve the cooperative
    /// pool that the simulator's handlers run on.
    func outcome(_ method: String, _ path: String, _ json: String? = nil, auth: Auth = .good,
                 headers: [String: String] = [:], rawBody: Data? = nil, timeout: Double = 10) async throws -> RawOutcome {
        var h = headers
        switch auth {
        case .good: h["Authorization"] = Self.basic(sim.config.apiKey, sim.config.apiToken)
        case .none: break
        case .custom(let k, let t): h["Authorization"] = Self.basic(k, t)
        }
        let body = rawBody ?? json.map { Data($0.utf8) }
        if body != nil { h["Content-Type"] = "application/json" }
        let port = self.port
        let headersToSend = h
        return try await withCheckedThrowingContinuation { cont in
            Thread {
                cont.resume(with: Result { try rawRequest(port: port, method: method, path: path, headers: headersToSend, body: body, timeout: timeout) })
            }.start()
        }
    }

    /// A call that must get a complete response.
    func call(_ method: String, _ path: String, _ json: String? = nil, auth: Auth = .good,
              rawBody: Data? = nil, timeout: Double = 10,
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> RawResponse {
        let o = try await outcome(method, path, json, auth: auth, rawBody: rawBody, timeout: timeout)
        guard let r = o.response else {
            Issue.record("no complete response to \(method) \(path)", sourceLocation: sourceLocation)
            throw RawSocketError(what: "incomplete")
        }
        return r
    }

    func create(_ cid: String, a: [String] = ["+919876543210"], b: [String] = ["+918765432109"],
                extra: String = "") async throws -> RawResponse {
        try await call("POST", root, Self.createBody(cid, a: a, b: b, extra: extra))
    }

    /// Creates and returns the allocation, failing the test unless it succeeded.
    func allocate(_ cid: String, a: [String] = ["+919876543210"], b: [String] = ["+918765432109"],
                  extra: String = "", sourceLocation: SourceLocation = #_sourceLocation) async throws -> Allocation {
        let r = try await create(cid, a: a, b: b, extra: extra)
        #expect(r.status == 200, "create \(cid): \(r.text)", sourceLocation: sourceLocation)
        return try #require(r.data.flatMap(Wire.allocation(from:)), sourceLocation: sourceLocation)
    }

    func details(_ id: String) async throws -> RawResponse { try await call("GET", "\(root)/\(id)") }

    static func createBody(_ cid: String, a: [String], b: [String], usage: String = "twoway", extra: String = "") -> String {
        let quoted = { (xs: [String]) in xs.map { "\"\($0)\"" }.joined(separator: ",") }
        return "{\"connection_id\":\"\(cid)\",\"aparty_numbers\":[\(quoted(a))],\"bparty_numbers\":[\(quoted(b))],\"usage\":\"\(usage)\"\(extra.isEmpty ? "" : "," + extra)}"
    }

    static func basic(_ key: String, _ token: String) -> String {
        "Basic " + Data("\(key):\(token)".utf8).base64EncodedString()
    }
}

/// Starts a simulator, runs `body`, stops it whatever happens.
func withSimulator(_ configure: (inout SimulatorConfig) -> Void = { _ in },
                   _ body: (Harness) async throws -> Void) async throws {
    var config = SimulatorConfig()
    configure(&config)
    let sim = try Simulator(config: config)
    try await sim.start()
    do {
        try await body(Harness(sim: sim))
    } catch {
        await sim.stop()
        throw error
    }
    await sim.stop()
}

func temporaryStatePath() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("greenvn-sim-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("sim.sqlite").path
}

extension JSONValue {
    var keys: Set<String> {
        if case .object(let o) = self { return Set(o.keys) }
        return []
    }
}
