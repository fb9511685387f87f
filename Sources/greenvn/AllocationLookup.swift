import Foundation
import GreenVNKit
import GreenVNStore

/// Which allocation an operator means by what they typed: its greenvn_id, its VN or its
/// connection_id. Lead Assist can only be asked by greenvn_id, so the registry answers the
/// other two; one rule for `show`, `swap`, `deallocate` and `import`.
enum AllocationLookup {
    enum Match: String, Sendable { case greenvnId = "greenvn_id", vn = "VN", connectionId = "connection_id" }

    struct Candidate: Equatable, Sendable {
        var row: StoredAllocation
        var matchedBy: Match
    }

    enum Resolution: Equatable, Sendable {
        /// One row of the registry (it may be a placeholder: a connection_id without a greenvn_id yet).
        case row(Candidate)
        /// Several rows: the operator must name one by its greenvn_id.
        case ambiguous([Candidate])
        /// The registry knows nothing by that text: it is taken as a greenvn_id, as typed.
        case unknown
    }

    /// The rule, pure over what the registry returned for the three lookups:
    /// - a greenvn_id matches only a row that has one (placeholders have none);
    /// - a VN belongs to one live allocation at a time, so when some rows with that VN are
    ///   active the others (vault, expired) are its past and are left out;
    /// - one row left: that row; several: ambiguous; none: unknown.
    static func resolve(byId: StoredAllocation?, byConnectionId: StoredAllocation?, byVN: [StoredAllocation], now: Date) -> Resolution {
        var found: [Candidate] = []
        if let r = byId, !r.isPlaceholder { found.append(Candidate(row: r, matchedBy: .greenvnId)) }
        if let r = byConnectionId { found.append(Candidate(row: r, matchedBy: .connectionId)) }
        let live = byVN.filter { $0.effectiveState(now: now) == .active }
        found += (live.isEmpty ? byVN : live).map { Candidate(row: $0, matchedBy: .vn) }
        var seen: Set<String> = []
        found = found.filter { seen.insert($0.row.id).inserted }
        switch found.count {
        case 0: return .unknown
        case 1: return .row(found[0])
        default: return .ambiguous(found)
        }
    }

    /// nil when `typed` can name an allocation (a greenvn_id's characters, or a phone number);
    /// checked before anything is opened or sent.
    static func check(_ typed: String) -> ValidationFailure? {
        if GreenvnID.check(typed) == nil || Identifier.check(typed, what: "connection_id") == nil { return nil }
        if case .success = PhoneNumber.normalize(typed) { return nil }
        return ValidationFailure([FieldError(.greenvnId, """
            "\(Text.printable(typed, limit: 40))" names no allocation: give its greenvn_id (1–\(GreenvnID.maxLength) \
            visible characters without / or spaces), its VN (E.164) or its connection_id
            """)])
    }

    /// Asks the registry (no network) what `typed` names, in one read on the registry's own thread.
    static func resolve(_ typed: String, in registry: Registry, now: Date = Date()) async throws -> Resolution {
        let (byId, byConnectionId, byVN) = try await registry.read { tx in
            (GreenvnID.check(typed) == nil ? try tx.allocation(id: typed) : nil,
             Identifier.check(typed, what: "connection_id") == nil ? try tx.allocation(connectionId: typed) : nil,
             try { if case .success(let vn) = PhoneNumber.normalize(typed) { return try tx.allocations(vn: vn) } else { return [] } }())
        }
        return resolve(byId: byId, byConnectionId: byConnectionId, byVN: byVN, now: now)
    }

    /// The registry's row `typed` names; nil when it knows none and `typed` can go to Lead Assist
    /// as a greenvn_id. Several rows, or unknown text that cannot be a greenvn_id, are refused.
    static func row(for typed: String, in registry: Registry) async throws -> StoredAllocation? {
        switch try await resolve(typed, in: registry) {
        case .row(let c): return c.row
        case .ambiguous(let candidates): throw ambiguous(typed, candidates)
        case .unknown:
            guard let bad = GreenvnID.check(typed) else { return nil }
            if case .success(let vn) = PhoneNumber.normalize(typed) {
                throw GreenVNError.invalid(ValidationFailure([FieldError(.greenvnId, """
                    no allocation in the registry has VN \(vn), and Lead Assist cannot be asked by VN: give the greenvn_id \
                    (`greenvn list --filter \(vn)` searches every field)
                    """)]))
            }
            throw GreenVNError.invalid(bad)
        }
    }

    /// What a verb that acts through the API sends: the greenvn_id, with the registry's row when
    /// it has one. A placeholder row has no greenvn_id yet: its way out is named.
    static func greenvnId(for typed: String, in registry: Registry, verb: String) async throws -> (id: String, row: StoredAllocation?) {
        guard let row = try await row(for: typed, in: registry) else { return (typed, nil) }
        if row.isPlaceholder { throw placeholder(row, verb: verb) }
        return (row.id, row)
    }

    static func ambiguous(_ typed: String, _ candidates: [Candidate]) -> GreenVNError {
        let now = Date()
        let list = candidates.map { c -> String in
            let r = c.row
            let id = r.isPlaceholder ? "(no greenvn_id: \(r.status.rawValue))" : r.id
            let vn = r.allocation.greenVN.isEmpty ? "—" : r.allocation.greenVN
            let line = "\(id)  VN \(vn)  connection_id \(r.connectionId)  \(r.effectiveState(now: now).rawValue)  (its \(c.matchedBy.rawValue))"
            return "\n      " + Text.printable(line, limit: 200)
        }.joined()
        return .invalid(ValidationFailure([FieldError(.greenvnId, """
            "\(Text.printable(typed, limit: 40))" names \(candidates.count) allocations the registry knows; name one by its greenvn_id:\(list)
            """)]))
    }

    static func placeholder(_ row: StoredAllocation, verb: String) -> GreenVNError {
        let cid = row.connectionId
        let why = row.status == .pending
            ? "its create is still pending (the next greenvn command that reaches Lead Assist re-sends it)"
            : "it was allocated but the answer, and so its greenvn_id, was lost: find the id in Exotel's dashboard or a webhook, then `greenvn import GREENVN_ID`"
        return .invalid(ValidationFailure([FieldError(.greenvnId,
            "connection_id \(cid) has no greenvn_id to \(verb) yet: \(why). `greenvn show --connection-id \(cid)` shows it")]))
    }
}
