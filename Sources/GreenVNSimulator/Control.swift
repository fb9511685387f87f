import Foundation
import GreenVNKit
import Hummingbird

/// `/_sim/…`: the same levers as `Simulator`'s methods, for tests that drive another process.
///   POST   /_sim/faults       {"fault": {"type":"status","status":503}, "kind": "create", "count": 3}
///   DELETE /_sim/faults
///   POST   /_sim/clock        {"advance_seconds": 600}
///   GET    /_sim/allocations  [allocation objects with green_vn, created_at, expires_at]
///   GET    /_sim/stats        {"create": 2, …, "any": 7}
struct Control: Sendable {
    let board: FaultBoard
    let store: SimulatorStore

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
        let now = try await store.transaction { db, now in
            try SimulatorStore.advanceClock(db, seconds: seconds)
            try SimulatorStore.expire(db, now: now + seconds)
            return now + seconds
        }
        return Reply.json(200, Self.ok(["now": .int(Int64(now))]))
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
