import Foundation
import GreenVNKit
import Hummingbird

/// `/_sim/…`: the same levers as `Simulator`'s methods, for tests that drive another process.
///   POST   /_sim/faults       {"fault": {"type":"status","status":503}, "kind": "create", "count": 3}
///   DELETE /_sim/faults
///   POST   /_sim/clock        {"advance_seconds": 600}
///   GET    /_sim/allocations  [allocation objects with green_vn, created_at, expires_at]
///   GET    /_sim/stats        {"create": 2, …, "any": 7}
///   POST   /_sim/calls        {"greenvn_id": "…", "from": "+91…", "pin": "1234", "to": "+91…", "status": "completed", "duration": 42}
///   GET    /_sim/webhooks     [deliveries: kind, url, greenvn_id, status, attempts, http_status, error]
///   GET    /_sim/quirks       {"create_vn_key": "green_vn"}
///   PUT    /_sim/quirks       {"create_vn_key": "greenvn"}
struct Control: Sendable {
    let board: FaultBoard
    let store: SimulatorStore
    let calls: Calls
    let sender: WebhookSender
    let quirks: Quirks

    func respond(_ method: HTTPRequest.Method, _ path: [String], body: SimResponder.Body) async -> Response {
        guard case .complete(let data) = body else { return Reply.refusal(.tooLarge) }
        do {
            switch (method, path.first ?? "", path.count) {
            case (.post, "faults", 1): return try inject(data)
            case (.delete, "faults", 1):
                board.clear()
                return Reply.json(200, Self.ok(["cleared": .bool(true)]))
            case (.post, "clock", 1): return try await advance(data)
            case (.get, "allocations", 1):
                let all = try await store.transaction { db, _ in try SimulatorStore.all(db) }
                return Reply.json(200, JSONValue.array(all.map(Self.json)).serialized())
            case (.get, "stats", 1):
                var o: [String: JSONValue] = [:]
                for kind in CallKind.allCases { o[kind.rawValue] = .int(Int64(board.count(kind))) }
                return Reply.json(200, JSONValue.object(o).serialized())
            case (.post, "calls", 1): return try await call(data)
            case (.get, "webhooks", 1):
                return Reply.json(200, JSONValue.array(sender.all.map(Self.json)).serialized())
            case (.get, "quirks", 1): return Reply.json(200, quirksJSON())
            case (.put, "quirks", 1), (.post, "quirks", 1): return try setQuirks(data)
            default:
                return Reply.refusal(Refusal.badRequest("no such control endpoint").with(status: 404))
            }
        } catch let r as Refusal {
            return Reply.refusal(r)
        } catch {
            return Reply.refusal(.internalError())
        }
    }

    private func inject(_ data: Data) throws -> Response {
        struct Order: Decodable { var fault: Fault; var kind: String?; var count: Int? }
        let order: Order
        do { order = try JSONDecoder().decode(Order.self, from: data) } catch {
            throw Refusal.badRequest("expected {\"fault\": {\"type\": …}, \"kind\": \"create\", \"count\": 1}: \(Text.printable(String(describing: error), limit: 160))")
        }
        guard let kind = CallKind(loosely: order.kind ?? "any") else {
            throw Refusal.badRequest("kind is one of \(CallKind.allCases.map(\.rawValue).joined(separator: " "))")
        }
        let count = order.count ?? 1
        guard (0...10_000).contains(count) else { throw Refusal.badRequest("count is 0…10000") }
        board.inject(order.fault, on: kind, count: count)
        return Reply.json(200, Self.ok(["queued": .int(Int64(count)), "kind": .string(kind.rawValue)]))
    }

    private func advance(_ data: Data) async throws -> Response {
        guard let root = try? JSONValue.parse(data), let text = root["advance_seconds"]?.stringValue,
              let seconds = Int(text), abs(seconds) <= 100 * 365 * 86_400 else {
            throw Refusal.badRequest("expected {\"advance_seconds\": N}")
        }
        let now = try store.advanceClock(seconds: seconds)
        return Reply.json(200, Self.ok(["now": .int(Int64(now))]))
    }

    private func call(_ data: Data) async throws -> Response {
        let usage = "expected {\"greenvn_id\": \"…\", \"from\": \"+91…\"} and optionally \"pin\", \"to\", \"status\" (\(SimulatedCall.statuses.joined(separator: " "))), \"duration\" (seconds talked)"
        guard let root = try? JSONValue.parse(data), case .object(let o) = root else { throw Refusal.badRequest(usage) }
        let known: Set<String> = ["greenvn_id", "from", "to", "pin", "status", "duration"]
        if let stray = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw Refusal.badRequest("unknown key \"\(Text.printable(stray, limit: 40))\": \(usage)")
        }
        func text(_ key: String) throws -> String? {
            guard let v = o[key], v != .null else { return nil }
            guard let s = v.stringValue else { throw Refusal.badRequest("\(key) must be a string: \(usage)") }
            return s
        }
        guard let id = try text("greenvn_id"), let from = try text("from") else { throw Refusal.badRequest(usage) }
        var duration: Int?
        if let d = try text("duration") {
            guard let n = Int(d) else { throw Refusal.badRequest("duration must be a whole number of seconds") }
            duration = n
        }
        let outcome = try await calls.place(SimulatedCall(greenvnId: id, from: from, to: try text("to"), pin: try text("pin"),
                                                          status: try text("status") ?? "completed", duration: duration))
        return Reply.json(200, Self.ok([
            "result": .string(outcome.result.rawValue), "call_sid": .string(outcome.callSid),
            "events": .array(outcome.events.map { Webhooks.json($0) }),
            "queued": .array(outcome.queued.map { .string($0.rawValue) }),
            "no_endpoint": .array(outcome.events.map(\.kind).filter { !outcome.queued.contains($0) }.map { .string($0.rawValue) }),
        ]))
    }

    private func quirksJSON() -> Data {
        Self.ok(["create_vn_key": .string(quirks.createVNKey.rawValue)])
    }

    private func setQuirks(_ data: Data) throws -> Response {
        let keys = VNKey.allCases.map(\.rawValue).joined(separator: " or ")
        guard let root = try? JSONValue.parse(data), case .object(let o) = root, o.keys.allSatisfy({ $0 == "create_vn_key" }),
              let raw = o["create_vn_key"]?.stringValue else {
            throw Refusal.badRequest("expected {\"create_vn_key\": \"green_vn\"} (\(keys))")
        }
        guard let key = VNKey(rawValue: raw) else { throw Refusal.badRequest("create_vn_key is \(keys), not \"\(Text.printable(raw, limit: 24))\"") }
        quirks.createVNKey = key
        return Reply.json(200, quirksJSON())
    }

    static func json(_ d: WebhookDelivery) -> JSONValue {
        .object(["id": .int(Int64(d.id)), "kind": .string(d.kind.rawValue), "url": .string(d.url),
                 "greenvn_id": d.greenvnId.map(JSONValue.string) ?? .null, "status": .string(d.status.rawValue),
                 "attempts": .int(Int64(d.attempts)), "http_status": d.httpStatus.map { .int(Int64($0)) } ?? .null,
                 "error": d.lastError.map(JSONValue.string) ?? .null])
    }

    static func json(_ s: StoredAllocation) -> JSONValue {
        guard case .object(var o) = Wire.json(s.allocation) else { return .null }
        o["created_at"] = .int(Int64(s.createdAt))
        o["expires_at"] = .int(Int64(s.expiresAt))
        return .object(o)
    }

    private static func ok(_ fields: [String: JSONValue]) -> Data {
        var o = fields
        o["ok"] = .bool(true)
        return JSONValue.object(o).serialized()
    }
}
