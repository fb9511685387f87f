import Foundation
import GreenVNKit

/// A row of the registry: the API's allocation plus what we asked for and when.
public struct StoredAllocation: Equatable, Sendable, Identifiable {
    /// The greenvn_id; for placeholder rows (`.pending`, `.idUnknown`) "pending:<connection_id>".
    public var id: String { allocation.greenvnId }
    public var allocation: Allocation
    /// Asked for at create (empty when imported).
    public var preferences: Preferences
    public var strictness: Bool
    /// As asked, e.g. "600s"; nil when none was asked (Lead Assist's default applies) or unknown.
    public var durationText: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Last time the API confirmed it (nil for placeholder rows).
    public var lastSyncedAt: Date?
    /// createdAt + the asked duration (86,400 s when none was asked); kept across swaps;
    /// nil when unknown (imported without its request).
    public var expiresAt: Date?
    public var status: RecordStatus
    /// When it went to the vault, as far as the registry saw it (a deallocation, a webhook, a
    /// refresh that found it there); nil while active or when never seen.
    public var releasedAt: Date?
    /// Who released it: "asha on ops-3" for a deallocation, "Lead Assist (expired)" when its
    /// policy ran out, "Lead Assist" when a refresh found it in the vault.
    public var releasedBy: String?

    public init(allocation: Allocation, preferences: Preferences = Preferences(), strictness: Bool = false,
                durationText: String? = nil, createdAt: Date, updatedAt: Date, lastSyncedAt: Date? = nil,
                expiresAt: Date? = nil, status: RecordStatus = .known, releasedAt: Date? = nil, releasedBy: String? = nil) {
        self.allocation = allocation
        self.preferences = preferences
        self.strictness = strictness
        self.durationText = durationText
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastSyncedAt = lastSyncedAt
        self.expiresAt = expiresAt
        self.status = status
        self.releasedAt = releasedAt
        self.releasedBy = releasedBy
    }

    /// `.vault` when the API said so; `.expired` when still active for us but past `expiresAt`
    /// (Lead Assist has moved it to the vault by now, not yet confirmed); else `.active`.
    public func effectiveState(now: Date) -> EffectiveState {
        if allocation.state == .vault { return .vault }
        if let e = expiresAt, e <= now { return .expired }
        return .active
    }

    public var connectionId: String { allocation.connectionId }
    /// True for rows whose greenvn_id is not known (`.pending`, `.idUnknown`).
    public var isPlaceholder: Bool { status != .known }

    /// The placeholder id of a create that has no greenvn_id (yet).
    public static func placeholderId(_ connectionId: String) -> String { "pending:" + connectionId }
}

/// `.known`: confirmed by the API. `.idUnknown`: allocated, but the answer (and so the
/// greenvn_id) was lost — `greenvn import ID` replaces it. `.pending`: a create in the outbox
/// whose outcome is unknown; `Operations.reconcile()` re-sends it.
public enum RecordStatus: String, Sendable, Codable, CaseIterable { case known, idUnknown = "id_unknown", pending }
public enum EffectiveState: String, Sendable, CaseIterable { case active, expired, vault }

/// Lead Assist's default policy when a create asks for no duration (the simulator's too).
public let defaultAllocationLifetime: TimeInterval = 86_400

// MARK: - row ⇄ struct

/// An unknown expiry, stored as a far-future time (year ~2255): never "expired", sorts last
/// ascending, and keeps `expires_at` NOT NULL so each tab condition is a single index range.
package enum Expiry {
    package static let unknown: Int64 = 9_000_000_000_000
    static func stored(_ d: Date?) -> Int64 { d.map(Millis.from) ?? unknown }
    static func date(_ ms: Int64) -> Date? { ms >= unknown ? nil : Millis.date(ms) }
}

package enum Millis {
    package static func from(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    package static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
    package static func date(_ ms: Int64?) -> Date? { ms.map(date) }
    /// `d` as the registry stores it (whole milliseconds), so what is returned equals what is read back.
    static func round(_ d: Date) -> Date { date(from(d)) }
}

enum JSONList {
    static func encode(_ items: [String]) -> String {
        var out = "["
        for (i, s) in items.enumerated() {
            if i > 0 { out += "," }
            out += quote(s)
        }
        return out + "]"
    }

    static func encode(_ items: [Int]) -> String { "[" + items.map(String.init).joined(separator: ",") + "]" }

    /// Our own compact encoding is read without a JSON decoder (a page decodes hundreds of
    /// lists); anything else (escapes, spaces, a hand-edited row) goes through JSONValue.
    static func strings(_ text: String) -> [String] {
        if text == "[]" { return [] }
        if let parts = compactStrings(text) { return parts }
        guard let v = try? JSONValue.parse(Data(text.utf8)), let items = v.arrayValue else { return [] }
        return items.compactMap(\.stringValue)
    }

    /// `["a","b"]` exactly as `encode` writes it when no value needs an escape: split on `","`
    /// in the bytes. nil for anything else (escapes, spaces, a quote elsewhere).
    private static func compactStrings(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { b -> [String]? in
            let n = b.count
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), backslash = UInt8(ascii: "\\")
            guard n >= 4, b[0] == UInt8(ascii: "["), b[1] == quote, b[n - 2] == quote, b[n - 1] == UInt8(ascii: "]") else { return nil }
            var parts: [String] = []
            var start = 2
            var i = 2
            while i < n - 2 {
                let c = b[i]
                if c == backslash { return nil }
                if c == quote {
                    guard i + 2 < n - 1, b[i + 1] == comma, b[i + 2] == quote else { return nil }
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
                    i += 3
                    start = i
                    continue
                }
                i += 1
            }
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<(n - 2)]), as: UTF8.self))
            return parts
        }
    }

    static func ints(_ text: String) -> [Int] {
        if text == "[]" { return [] }
        if text.hasPrefix("["), text.hasSuffix("]") {
            let parts = text.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            if parts.allSatisfy({ $0 != nil }) { return parts.map { $0! } }
        }
        guard let v = try? JSONValue.parse(Data(text.utf8)), let items = v.arrayValue else { return [] }
        return items.compactMap { $0.stringValue.flatMap { Int($0) } }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\u%04x", u.value) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

extension StoredAllocation {
    /// Lowercase text the filter matches: VN, greenvn_id, connection_id, every number.
    var searchText: String {
        let a = allocation
        return ([a.greenVN, a.greenvnId, a.connectionId] + a.aparty.numbers + a.bparty.numbers)
            .joined(separator: " ").lowercased()
    }

    /// Reads the columns by position (found once per statement: looking a column up by name
    /// for every value cost more than the rest of decoding a page of rows).
    init<R: ColumnReader>(_ row: R, columns c: AllocationColumns) {
        let allocation = Allocation(
            greenvnId: row.text(at: c.greenvnId) ?? "", connectionId: row.text(at: c.connectionId) ?? "",
            aparty: Party(JSONList.strings(row.text(at: c.apartyNumbers) ?? "[]"), pins: JSONList.ints(row.text(at: c.apartyPins) ?? "[]")),
            bparty: Party(JSONList.strings(row.text(at: c.bpartyNumbers) ?? "[]"), pins: JSONList.ints(row.text(at: c.bpartyPins) ?? "[]")),
            usage: row.text(at: c.usage).flatMap(Usage.init(rawValue:)) ?? .twoway,
            state: row.text(at: c.state).flatMap(AllocationState.init(rawValue:)) ?? .active,
            greenVN: row.text(at: c.greenVN) ?? "", flowId: row.text(at: c.flowId))
        let prefs = Preferences(greenvn: row.text(at: c.prefGreenvn),
                                region: row.text(at: c.prefRegion).flatMap(Region.init(rawValue:)),
                                pinCode: row.text(at: c.prefPinCode),
                                type: row.text(at: c.prefType).flatMap(NumberType.init(rawValue:)))
        self.init(allocation: allocation, preferences: prefs, strictness: (row.int(at: c.strictness) ?? 0) != 0,
                  durationText: row.text(at: c.duration),
                  createdAt: Millis.date(row.int(at: c.createdAt) ?? 0), updatedAt: Millis.date(row.int(at: c.updatedAt) ?? 0),
                  lastSyncedAt: Millis.date(row.int(at: c.lastSyncedAt)), expiresAt: row.int(at: c.expiresAt).flatMap(Expiry.date),
                  status: row.text(at: c.status).flatMap(RecordStatus.init(rawValue:)) ?? .known,
                  releasedAt: Millis.date(row.int(at: c.releasedAt)), releasedBy: row.text(at: c.releasedBy))
    }

    package init(_ row: SQLRow) {
        self.init(row, columns: AllocationColumns(names: row.columns))
    }

    /// The stored columns, in `arguments` order (`id`, the row number, is the backend's).
    package static let columns = """
        greenvn_id, connection_id, aparty_numbers, bparty_numbers, aparty_pins, bparty_pins, usage, state, \
        green_vn, flow_id, pref_greenvn, pref_region, pref_pin_code, pref_type, strictness, duration, \
        created_at, updated_at, last_synced_at, expires_at, status, search, released_at, released_by
        """

    package var arguments: [SQLValue] {
        let a = allocation
        return [a.greenvnId.sqlValue, (a.connectionId.isEmpty ? nil : a.connectionId).sqlValue,
                JSONList.encode(a.aparty.numbers).sqlValue, JSONList.encode(a.bparty.numbers).sqlValue,
                JSONList.encode(a.aparty.pins).sqlValue, JSONList.encode(a.bparty.pins).sqlValue,
                a.usage.rawValue.sqlValue, a.state.rawValue.sqlValue,
                a.greenVN.sqlValue, a.flowId.sqlValue, preferences.greenvn.sqlValue, preferences.region?.rawValue.sqlValue ?? .null,
                preferences.pinCode.sqlValue, preferences.type?.rawValue.sqlValue ?? .null, strictness.sqlValue, durationText.sqlValue,
                Millis.from(createdAt).sqlValue, Millis.from(updatedAt).sqlValue, lastSyncedAt.map(Millis.from).sqlValue,
                Expiry.stored(expiresAt).sqlValue, status.rawValue.sqlValue, searchText.sqlValue,
                releasedAt.map(Millis.from).sqlValue, releasedBy.sqlValue]
    }

    /// Inserts, or replaces the row with the same greenvn_id (keeping its row number).
    package func save(_ db: SQLSession) throws {
        let placeholders = Array(repeating: "?", count: 24).joined(separator: ",")
        try db.execute("""
            INSERT INTO allocation (\(Self.columns)) VALUES (\(placeholders))
            ON CONFLICT(greenvn_id) DO UPDATE SET
              connection_id = excluded.connection_id, aparty_numbers = excluded.aparty_numbers,
              bparty_numbers = excluded.bparty_numbers, aparty_pins = excluded.aparty_pins,
              bparty_pins = excluded.bparty_pins, usage = excluded.usage, state = excluded.state,
              green_vn = excluded.green_vn, flow_id = excluded.flow_id, pref_greenvn = excluded.pref_greenvn,
              pref_region = excluded.pref_region, pref_pin_code = excluded.pref_pin_code,
              pref_type = excluded.pref_type, strictness = excluded.strictness, duration = excluded.duration,
              created_at = excluded.created_at, updated_at = excluded.updated_at,
              last_synced_at = excluded.last_synced_at, expires_at = excluded.expires_at,
              status = excluded.status, search = excluded.search,
              released_at = excluded.released_at, released_by = excluded.released_by
            """, arguments)
    }

    /// Overwrites the row whose greenvn_id is `id` (a placeholder) with this one, keeping its row number.
    func replace(_ id: String, in db: SQLSession) throws {
        try db.execute(Self.replaceSQL, arguments + [id.sqlValue])
    }

    static let replaceSQL = "UPDATE allocation SET "
        + columns.split(separator: ",").map { "\($0.trimmingCharacters(in: .whitespaces)) = ?" }.joined(separator: ", ")
        + " WHERE greenvn_id = ?"

    /// A placeholder row built from a create request (`.pending` or `.idUnknown`).
    static func placeholder(for r: AllocationRequest, status: RecordStatus, now: Date) -> StoredAllocation {
        let created = Millis.round(now)
        let a = Allocation(greenvnId: placeholderId(r.connectionId), connectionId: r.connectionId,
                           aparty: r.aparty, bparty: r.bparty, usage: r.usage,
                           state: .active, greenVN: "", flowId: r.flowId)
        return StoredAllocation(allocation: a, preferences: r.preferences, strictness: r.strictness ?? false,
                                durationText: r.duration?.text, createdAt: created, updatedAt: created,
                                lastSyncedAt: nil, expiresAt: expiry(of: r, createdAt: created), status: status)
    }

    static func expiry(of r: AllocationRequest, createdAt: Date) -> Date {
        createdAt.addingTimeInterval(r.duration.map { TimeInterval($0.seconds) } ?? defaultAllocationLifetime)
    }
}

/// Reads a result row by column position: GRDB's rows, SQLRow, a PostgreSQL row.
protocol ColumnReader {
    func text(at i: Int) -> String?
    func int(at i: Int) -> Int64?
}

extension SQLRow: ColumnReader {
    func text(at i: Int) -> String? { i >= 0 && i < values.count ? values[i].text : nil }
    func int(at i: Int) -> Int64? { i >= 0 && i < values.count ? values[i].int : nil }
}

/// Where each column of an allocation row is (found once per statement, not per value); -1 for
/// a column the row does not have.
struct AllocationColumns {
    let greenvnId, connectionId, apartyNumbers, bpartyNumbers, apartyPins, bpartyPins, usage, state, greenVN, flowId: Int
    let prefGreenvn, prefRegion, prefPinCode, prefType, strictness, duration, createdAt, updatedAt, lastSyncedAt, expiresAt, status: Int
    let releasedAt, releasedBy: Int

    init(names: [String: Int]) {
        func index(_ name: String) -> Int { names[name] ?? -1 }
        greenvnId = index("greenvn_id"); connectionId = index("connection_id")
        apartyNumbers = index("aparty_numbers"); bpartyNumbers = index("bparty_numbers")
        apartyPins = index("aparty_pins"); bpartyPins = index("bparty_pins")
        usage = index("usage"); state = index("state"); greenVN = index("green_vn"); flowId = index("flow_id")
        prefGreenvn = index("pref_greenvn"); prefRegion = index("pref_region"); prefPinCode = index("pref_pin_code")
        prefType = index("pref_type"); strictness = index("strictness"); duration = index("duration")
        createdAt = index("created_at"); updatedAt = index("updated_at"); lastSyncedAt = index("last_synced_at")
        expiresAt = index("expires_at"); status = index("status")
        releasedAt = index("released_at"); releasedBy = index("released_by")
    }

    /// Column names as a result lists them (the first of a repeated name wins).
    init(_ names: [String]) {
        var at: [String: Int] = [:]
        for (i, name) in names.enumerated() where at[name.lowercased()] == nil { at[name.lowercased()] = i }
        self.init(names: at)
    }
}
