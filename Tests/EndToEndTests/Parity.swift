import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

// Helpers for the reliability tests: run the real binary without blocking Swift's cooperative
// threads (an in-process simulator needs them to answer), and compare what the registry knows
// (through the CLI) with what the server holds.

extension Binary {
    /// `run`, awaited without holding a cooperative thread.
    static func runAsync(_ args: [String], env: [String: String], timeout: Double = 120) async throws -> Result {
        await (try Spawned(args, env: env)).wait(timeout: timeout)
    }

    /// The environment for a tenant at `baseURL` (a simulator), with a private data dir and the
    /// timeout/retry knobs.
    static func apiEnvironment(home: String, settings s: ConnectionSettings, extra: [String: String] = [:]) -> [String: String] {
        var env = environment(home: home, extra: [
            "GREENVN_BASE_URL": s.baseURL, "EXOTEL_ACCOUNT_SID": s.accountSID,
            "EXOTEL_API_KEY": s.apiKey, "EXOTEL_API_TOKEN": s.apiToken,
        ])
        for (k, v) in extra { env[k] = v }
        return env
    }
}

/// Limits how many expensive test cases run at once (Swift Testing starts every argument of a
/// parameterized test together; on a 2-core CI box that would starve the simulators).
actor Gate {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(_ limit: Int) { free = limit }

    func enter() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await enter()
        do { let r = try await body(); leave(); return r } catch { leave(); throw error }
    }
}

/// "The registry equals the server": what `greenvn list` shows against what the server holds.
enum Parity {
    /// A registry row without a greenvn_id, from `greenvn list`'s table.
    struct Unsettled: Equatable, CustomStringConvertible {
        var connectionId: String
        var state: String          // its registry_status: "pending" (outbox, outcome unknown) or "id_unknown" (allocated, id lost)
        var description: String { "\(connectionId) [\(state)]" }
    }

    struct Report: CustomStringConvertible {
        var server = 0
        var known = 0
        var idUnknown: [String] = []      // connection ids
        var pending: [String] = []
        var problems: [String] = []
        var description: String {
            "server \(server), registry known \(known), id unknown \(idUnknown.count), pending \(pending.count)"
                + (problems.isEmpty ? "" : "; PROBLEMS:\n  " + problems.prefix(20).joined(separator: "\n  "))
        }
    }

    /// The registry's known allocations and its rows without an id, from `list --json` (which
    /// holds every row, with its `registry_status`).
    static func registry(env: [String: String]) async throws -> (known: [JSONValue], unsettled: [Unsettled]) {
        let json = try await Binary.runAsync(["list", "--json"], env: env)
        guard json.status == 0, let rows = try JSONValue.parse(Data(json.stdout.utf8)).arrayValue else {
            throw Failure("`greenvn list --json` failed (exit \(json.status)): \(json.stderr)\n\(json.stdout.prefix(500))")
        }
        var known: [JSONValue] = []
        var unsettled: [Unsettled] = []
        for row in rows {
            let cid = row["connection_id"]?.stringValue ?? ""
            switch row["registry_status"]?.stringValue {
            case "known": known.append(row)
            case let status? where status == "pending" || status == "id_unknown":
                unsettled.append(Unsettled(connectionId: cid, state: status))
            default: throw Failure("`greenvn list --json` row without a registry_status: \(row)")
            }
            if row["registry_status"] != .string("known"), row["greenvn_id"] != .null {
                throw Failure("a row without a known greenvn_id must say greenvn_id null: \(row)")
            }
        }
        return (known, unsettled)
    }

    /// Compares the registry with `server`. Strict: every server allocation is known by its
    /// greenvn_id with the same VN, state, numbers, usage and connection_id, the registry knows
    /// nothing the server lacks, and no row is unsettled. Not strict: a server allocation may
    /// instead be an unsettled row with its connection_id (pending, or id_unknown = allocated with the
    /// id lost — the operator's `greenvn import` settles it), and a pending row may have no
    /// server allocation (its create is re-sent with the same connection_id).
    /// Either way: no connection_id twice on the server or in the registry (nothing doubled),
    /// and no server allocation the registry has no trace of (nothing lost).
    static func compare(env: [String: String], server: [Allocation], strict: Bool) async throws -> Report {
        let (known, unsettled) = try await registry(env: env)
        var r = Report()
        r.server = server.count
        r.known = known.count
        r.idUnknown = unsettled.filter { $0.state == "id_unknown" }.map(\.connectionId)
        r.pending = unsettled.filter { $0.state == "pending" }.map(\.connectionId)

        var serverById: [String: Allocation] = [:]
        var serverByCid: [String: Allocation] = [:]
        for a in server {
            if serverById.updateValue(a, forKey: a.greenvnId) != nil { r.problems.append("server: greenvn_id \(a.greenvnId) twice") }
            if serverByCid.updateValue(a, forKey: a.connectionId) != nil { r.problems.append("DOUBLED on the server: connection_id \(a.connectionId) allocated twice") }
        }
        var registryCids: Set<String> = []
        var knownIds: Set<String> = []
        for row in known {
            let id = row["greenvn_id"]?.stringValue ?? ""
            let cid = row["connection_id"]?.stringValue ?? ""
            if !knownIds.insert(id).inserted { r.problems.append("registry: greenvn_id \(id) twice") }
            if !cid.isEmpty, !registryCids.insert(cid).inserted { r.problems.append("DOUBLED in the registry: connection_id \(cid) twice") }
            guard let s = serverById[id] else {
                r.problems.append("registry knows \(id) (\(cid)) but the server has no such allocation")
                continue
            }
            let mine: [String: JSONValue] = [
                "green_vn": row["green_vn"] ?? .null, "state": row["state"] ?? .null, "usage": row["usage"] ?? .null,
                "connection_id": row["connection_id"] ?? .null,
                "aparty_numbers": row["aparty_numbers"] ?? .null, "bparty_numbers": row["bparty_numbers"] ?? .null,
            ]
            let theirs: [String: JSONValue] = [
                "green_vn": .string(s.greenVN), "state": .string(s.state.rawValue), "usage": .string(s.usage.rawValue),
                "connection_id": .string(s.connectionId),
                "aparty_numbers": .array(s.aparty.numbers.map(JSONValue.string)), "bparty_numbers": .array(s.bparty.numbers.map(JSONValue.string)),
            ]
            for key in mine.keys.sorted() where mine[key] != theirs[key] {
                r.problems.append("\(id): \(key) is \(mine[key].map { String(describing: $0) } ?? "nil") in the registry but \(theirs[key].map { String(describing: $0) } ?? "nil") on the server")
            }
        }
        for u in unsettled {
            if !registryCids.insert(u.connectionId).inserted { r.problems.append("DOUBLED in the registry: connection_id \(u.connectionId) twice") }
            if strict { r.problems.append("unsettled registry row \(u)") }
            if u.state == "id_unknown", serverByCid[u.connectionId] == nil {
                r.problems.append("registry says \(u.connectionId) was allocated (id_unknown) but the server has no allocation for it")
            }
        }
        let unsettledCids = Set(unsettled.map(\.connectionId))
        for a in server where !knownIds.contains(a.greenvnId) {
            if !strict, unsettledCids.contains(a.connectionId) { continue }
            r.problems.append("LOST: the server holds \(a.greenvnId) (\(a.connectionId), \(a.greenVN)) and the registry \(unsettledCids.contains(a.connectionId) ? "has only an unsettled row for it" : "has no trace of it")")
        }
        return r
    }

    /// `compare`, recorded as a test failure with the whole report when anything is off.
    @discardableResult
    static func expectEqual(env: [String: String], server: [Allocation], strict: Bool, _ context: String = "",
                            sourceLocation: SourceLocation = #_sourceLocation) async throws -> Report {
        let r = try await compare(env: env, server: server, strict: strict)
        #expect(r.problems.isEmpty, "\(context): registry ≠ server: \(r)", sourceLocation: sourceLocation)
        return r
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// Waits (polling, without blocking a thread) until `condition` holds or `seconds` pass.
func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return try condition()
}
