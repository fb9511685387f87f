import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// A fresh directory under the system temp dir, removed when the object goes.
final class TempDir: @unchecked Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "greenvn-store-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    var registryPath: String { path + "/registry.sqlite" }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)   // whole seconds: exact in the registry

    static func request(_ cid: String, a: [String] = ["+919876543210"], b: [String] = ["+918765432109"],
                        usage: Usage = .twoway, duration: String? = nil, preferences: Preferences = Preferences(),
                        strict: Bool? = nil, flow: String? = nil, aPins: [Int] = [], bPins: [Int] = []) -> AllocationRequest {
        AllocationRequest(connectionId: cid, aparty: Party(a, pins: aPins), bparty: Party(b, pins: bPins),
                          usage: usage, strictness: strict, preferences: preferences,
                          duration: duration.flatMap { try? DeallocationDuration.parse($0).get() }, flowId: flow)
    }

    static func allocation(_ id: String, cid: String, vn: String, a: [String] = ["+919876543210"], b: [String] = ["+918765432109"],
                           usage: Usage = .twoway, state: AllocationState = .active) -> Allocation {
        Allocation(greenvnId: id, connectionId: cid, aparty: Party(a), bparty: Party(b), usage: usage, state: state, greenVN: vn)
    }
}

func refusal(_ code: Int, _ status: Int, _ message: String = "") -> GreenVNError {
    .refused(APIRefusal(httpStatus: status, code: code, message: message))
}

/// An in-memory Lead Assist for the Operations unit tests: idempotent on connection_id
/// (code 18), code 1 for unknown ids, code 22 for a second DELETE; faults queued per call.
final class FakeAPI: LeadAssistAPI, @unchecked Sendable {
    enum Fault { case fail(GreenVNError), actThenFail(GreenVNError), hang }
    private let lock = NSLock()
    private var byId: [String: Allocation] = [:]
    private var order: [String] = []
    private var faults: [String: [Fault]] = [:]
    private var calls: [String: Int] = [:]
    private var vnCounter = 0
    private var connections: Set<String> = []

    func inject(_ f: Fault, on call: String, count: Int = 1) {
        lock.withLock { faults[call, default: []] += Array(repeating: f, count: count) }
    }
    func callCount(_ call: String) -> Int { lock.withLock { calls[call, default: 0] } }
    var all: [Allocation] { lock.withLock { order.compactMap { byId[$0] } } }
    func seed(_ a: Allocation) { lock.withLock { byId[a.greenvnId] = a; order.append(a.greenvnId); connections.insert(a.connectionId) } }

    private func nextFault(_ call: String) -> Fault? {
        lock.withLock {
            calls[call, default: 0] += 1
            guard var q = faults[call], !q.isEmpty else { return nil }
            let f = q.removeFirst()
            faults[call] = q
            return f
        }
    }

    private func run(_ call: String, _ act: () throws -> Allocation) async throws -> Allocation {
        let f = nextFault(call)
        switch f {
        case .fail(let e)?: throw e
        case .hang?: try await Task.sleep(for: .seconds(3600)); throw GreenVNError.timeout(seconds: 3600)
        default: break
        }
        let a = try lock.withLock(act)
        if case .actThenFail(let e)? = f { throw e }
        return a
    }

    private func newVN() -> String {
        vnCounter += 1
        return "+9180" + String(format: "%08d", vnCounter)
    }

    func create(_ r: AllocationRequest) async throws -> Allocation {
        try await run("create") {
            if connections.contains(r.connectionId) { throw refusal(18, 409, "exists") }
            connections.insert(r.connectionId)
            let id = UUID().uuidString.lowercased()
            let a = Allocation(greenvnId: id, connectionId: r.connectionId, aparty: r.aparty, bparty: r.bparty,
                               usage: r.usage, state: .active, greenVN: r.preferences.greenvn ?? newVN(), flowId: r.flowId)
            byId[id] = a
            order.append(id)
            return a
        }
    }

    func details(_ id: String) async throws -> Allocation {
        try await run("details") {
            guard let a = byId[id] else { throw refusal(1, 404, "GreenVN not found") }
            return a
        }
    }

    func swap(_ id: String, _ r: SwapRequest, knownVN: String?) async throws -> Allocation {
        try await run("swap") {
            guard var a = byId[id] else { throw refusal(1, 404, "GreenVN not found") }
            a.greenVN = r.preferences.greenvn ?? newVN()
            byId[id] = a
            return a
        }
    }

    func updateParties(_ id: String, _ u: PartyUpdate) async throws -> Allocation {
        try await run("updateParties") {
            guard var a = byId[id] else { throw refusal(1, 404, "GreenVN not found") }
            if let x = u.aparty.numbers { a.aparty.numbers = x }
            if let x = u.bparty.numbers { a.bparty.numbers = x }
            if let x = u.aparty.pins { a.aparty.pins = x }
            if let x = u.bparty.pins { a.bparty.pins = x }
            if let x = u.usage { a.usage = x }
            byId[id] = a
            return a
        }
    }

    func deallocate(_ id: String) async throws -> Allocation {
        try await run("deallocate") {
            guard var a = byId[id] else { throw refusal(1, 404, "GreenVN not found") }
            if a.state == .vault { throw refusal(22, 410, "GreenVN already deleted") }
            a.state = .vault
            byId[id] = a
            return a
        }
    }

    private var accountSettings = AccountSettings()

    func settings() async throws -> AccountSettings {
        if case .fail(let e)? = nextFault("settings") { throw e }
        return lock.withLock { accountSettings }
    }

    func updateSettings(_ s: AccountSettings) async throws -> AccountSettings {
        if case .fail(let e)? = nextFault("updateSettings") { throw e }
        return lock.withLock { accountSettings = s; return s }
    }
}

/// Waits (polling) until `condition` holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func hit() { lock.withLock { n += 1 } }
    var count: Int { lock.withLock { n } }
}

/// The tab counters agree with the rows, counted one by one from a page of everything.
func checkCounts(_ r: Registry, now: Date = Date(), sourceLocation: SourceLocation = #_sourceLocation) throws {
    let rows = try r.page(ListQuery(state: .all), offset: 0, limit: 100_000, now: now)
    let active = rows.filter { $0.effectiveState(now: now) == .active }.count
    let expired = rows.filter { $0.effectiveState(now: now) == .expired }.count
    let vault = rows.count - active
    let unsettled = rows.filter { $0.status != .known }.count
    let c = try r.counts(now: now)
    #expect(c == TabCounts(active: active, expired: expired, vault: vault, pending: unsettled),
            "counts \(c) vs rows \((active, expired, vault, unsettled))", sourceLocation: sourceLocation)
    for state in StateFilter.allCases {
        #expect(try r.count(ListQuery(state: state), now: now) == c.rows(state), "\(state)", sourceLocation: sourceLocation)
    }
}

/// Plants rows the way another process would have left them (outbox entries, leases).
extension Registry {
    func plant(_ body: @escaping @Sendable (RegistryTransaction) throws -> Void) async throws {
        try await write(durable: false, body)
    }
}

extension RegistryTransaction {
    func sql(_ text: String, _ args: [SQLValue] = []) throws { try db.execute(text, args) }
}

/// Runs async work to the end from a thread that is not one of the cooperative pool's
/// (concurrentPerform's workers, a synchronous test).
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, Error>?
    Thread.detachNewThread {
        Task {
            do { result = .success(try await work()) } catch { result = .failure(error) }
            done.signal()
        }
    }
    done.wait()
    return try result!.get()
}
