import Foundation
import GRDB
import GreenVNKit

/// The documented calls, HTTP aside: bytes in, allocation or refusal out. Input is read
/// with Kit's `Wire` and checked with Kit's validation, so the rules are the client's rules.
struct SimulatedAPI: Sendable {
    let store: SimulatorStore
    let pool: Pool
    let config: SimulatorConfig
    /// Told of each new expiry, so a lifetime shorter than the sweeper's nap is swept on time.
    let sweeper: SweepTimer

    /// `POST /greenvn`. The account settings apply: `max_deallocation_time` bounds the lifetime
    /// (and is the lifetime when no policy is given), `default_region` is preferred when no
    /// region or pin code is asked for (never strictly).
    func create(body: Data) async throws -> Allocation {
        let draft: AllocationDraft
        do { draft = try Wire.draft(fromCreate: body) } catch { throw Self.unreadable(body) }
        let request: AllocationRequest
        switch draft.validate(normalizing: false) {
        case .success(let (r, _)): request = r
        case .failure(let f): throw Refusal(f)
        }
        if let flows = config.flows, let flow = request.flowId, !flows.contains(flow) { throw Refusal.invalidFlow(flow) }
        let (pool, seed, defaultLifetime) = (self.pool, config.seed, config.defaultDurationSeconds)
        let sweeper = self.sweeper
        return try await store.transaction { db, now in
            if try SimulatorStore.connectionExists(db, request.connectionId) { throw Refusal.duplicateConnection }
            let settings = try SimulatorStore.settings(db)
            let wish = Self.wish(request.preferences, strict: request.strictness ?? false, settings)
            if let asked = request.duration, let max = settings.maxDeallocationTime, asked.seconds > max.seconds {
                throw Refusal(code: 23, message: "Invalid date range: deallocation_policy.duration \(asked.text) is longer than this account's max_deallocation_time \(max.text)")
            }
            let lifetime = request.duration?.seconds ?? settings.maxDeallocationTime?.seconds ?? defaultLifetime
            let vn = try Self.pick(wish, in: pool, db: db, seed: seed, free: store.free)
            let allocation = Allocation(
                greenvnId: UUID().uuidString.lowercased(), connectionId: request.connectionId,
                aparty: request.aparty, bparty: request.bparty, usage: request.usage,
                state: .active, greenVN: vn.vn, flowId: request.flowId)
            try SimulatorStore.insert(db, StoredAllocation(allocation: allocation, createdAt: now, expiresAt: now + lifetime))
            store.free?.take(vn.vn)
            sweeper.due(at: now + lifetime)
            return allocation
        }
    }

    /// `GET /greenvn/<id>`.
    func details(id: String) async throws -> Allocation {
        try await store.transaction { db, _ in try Self.existing(db, id).allocation }
    }

    /// `PUT /greenvn/<id>/vn`: a different free VN; everything else is inherited.
    func swap(id: String, body: Data) async throws -> Allocation {
        let (request, pinCode) = try Self.swapRequest(body)
        var prefs = request.preferences
        prefs.pinCode = pinCode
        let (asked, strict) = (prefs, request.strictness ?? false)
        let (pool, seed) = (self.pool, config.seed)
        return try await store.transaction { db, _ in
            let wish = Self.wish(asked, strict: strict, try SimulatorStore.settings(db))
            var a = try Self.existing(db, id).allocation
            guard a.state == .active else { throw Refusal.alreadyDeleted }
            // The current VN is held by this very allocation, so it is never picked again.
            a.greenVN = try Self.pick(wish, in: pool, db: db, seed: seed, free: store.free).vn
            try SimulatorStore.update(db, a)
            return a
        }
    }

    /// `PUT /greenvn/<id>/call-party`: replaces the sides (and pins, usage) that are given.
    func updateParties(id: String, body: Data) async throws -> Allocation {
        let draft: PartyDraft
        do {
            guard case .object = try JSONValue.parse(body) else { throw Self.unreadable(body) }
            draft = try Wire.draft(fromPartyUpdate: body)
        } catch { throw Self.unreadable(body) }
        return try await store.transaction { db, _ in
            var a = try Self.existing(db, id).allocation
            guard a.state == .active else { throw Refusal.alreadyDeleted }
            let update: PartyUpdate
            switch draft.validate(against: a, normalizing: false) {
            case .success(let u): update = u
            case .failure(let f): throw Refusal(f)
            }
            if let v = update.aparty.numbers { a.aparty.numbers = v }
            if let v = update.bparty.numbers { a.bparty.numbers = v }
            if let v = update.aparty.pins { a.aparty.pins = v }
            if let v = update.bparty.pins { a.bparty.pins = v }
            if let v = update.usage { a.usage = v }
            try SimulatorStore.update(db, a)
            return a
        }
    }

    /// `DELETE /greenvn/<id>`: to the vault, the VN back in the pool.
    func deallocate(id: String) async throws -> Allocation {
        try await store.transaction { db, now in
            var a = try Self.existing(db, id).allocation
            guard a.state == .active else { throw Refusal.alreadyDeleted }
            a.state = .vault
            try SimulatorStore.update(db, a, vaultedAt: now)
            return a
        }
    }

    // MARK: helpers

    /// The account's default region, asked for softly when the request names no place.
    private static func wish(_ p: Preferences, strict: Bool, _ settings: AccountSettings) -> Wish {
        var prefs = p
        if !strict, prefs.region == nil, prefs.pinCode == nil, let region = settings.defaultRegion { prefs.region = region }
        return Wish(prefs, strict: strict)
    }

    private static func existing(_ db: Database, _ id: String) throws -> StoredAllocation {
        guard let s = try SimulatorStore.fetch(db, id: id) else { throw Refusal.notFound }
        return s
    }

    private static func pick(_ wish: Wish, in pool: Pool, db: Database, seed: UInt64, free: FreeNumbers?) throws -> PoolNumber {
        if let free { return try free.pick(wish, db: db) }
        let held = try SimulatorStore.heldVNs(db)
        let free = pool.numbers.filter { !held.contains($0.vn) }
        guard !free.isEmpty else { throw Refusal.noFreeVN }
        guard let vn = wish.pick(from: free, seed: seed) else { throw Refusal.strictMiss(wish) }
        return vn
    }

    /// The swap body is optional: empty (or blank) takes any free VN.
    private static func swapRequest(_ body: Data) throws -> (SwapRequest, String?) {
        let blank = body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if blank { return (SwapRequest(), nil) }
        guard let draft = try? Wire.draft(fromSwap: body) else { throw unreadable(body) }
        switch draft.validate(normalizing: false) {
        case .success(let r): return (r, r.preferences.pinCode)
        case .failure(let f): throw Refusal(f)
        }
    }

    private static func unreadable(_ body: Data) -> Refusal {
        body.isEmpty ? .badRequest("the body is empty: send a JSON object")
            : .badRequest("the body is not a JSON object (\(Wire.snippet(body)))")
    }
}
