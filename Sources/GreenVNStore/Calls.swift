import Foundation
import GreenVNKit

/// A call placed through an allocation's VN, as Lead Assist's call-event webhook reported it.
public struct CallRecord: Equatable, Sendable {
    /// Lead Assist's id of the call: one record per call (a webhook delivered twice is one call).
    public var callSid: String
    public var greenvnId: String
    public var connectionId: String
    /// The VN the call went through.
    public var greenVN: String
    public var from: String
    public var to: String
    /// e.g. "outbound-api", as Lead Assist says it.
    public var direction: String
    public var callType: String
    /// `dial_call_status`: "completed", "busy", "no-answer", "failed"…
    public var status: String
    public var startedAt: Date?
    /// Seconds ringing plus talking (`dial_call_duration`) and talking (`on_call_duration`).
    public var dialSeconds: Int?
    public var talkSeconds: Int?
    public var recordingURL: String?
    public var receivedAt: Date

    public init(callSid: String, greenvnId: String, connectionId: String, greenVN: String, from: String, to: String,
                direction: String = "", callType: String = "", status: String, startedAt: Date?, dialSeconds: Int? = nil,
                talkSeconds: Int? = nil, recordingURL: String? = nil, receivedAt: Date) {
        self.callSid = callSid
        self.greenvnId = greenvnId
        self.connectionId = connectionId
        self.greenVN = greenVN
        self.from = from
        self.to = to
        self.direction = direction
        self.callType = callType
        self.status = status
        self.startedAt = startedAt
        self.dialSeconds = dialSeconds
        self.talkSeconds = talkSeconds
        self.recordingURL = recordingURL
        self.receivedAt = receivedAt
    }
}

enum Calls {
    static let columns = """
        call_sid, greenvn_id, connection_id, green_vn, from_number, to_number, direction, call_type, status, \
        started_at, dial_seconds, talk_seconds, recording_url, received_at
        """

    static func record(_ row: SQLRow) -> CallRecord {
        CallRecord(callSid: row.text("call_sid") ?? "", greenvnId: row.text("greenvn_id") ?? "",
                   connectionId: row.text("connection_id") ?? "", greenVN: row.text("green_vn") ?? "",
                   from: row.text("from_number") ?? "", to: row.text("to_number") ?? "",
                   direction: row.text("direction") ?? "", callType: row.text("call_type") ?? "",
                   status: row.text("status") ?? "", startedAt: Millis.date(row.int("started_at")),
                   dialSeconds: row.int("dial_seconds").map(Int.init), talkSeconds: row.int("talk_seconds").map(Int.init),
                   recordingURL: row.text("recording_url"), receivedAt: Millis.date(row.int("received_at") ?? 0))
    }
}

extension RegistryTransaction {
    /// Records a call; a later event for the same call (Lead Assist sends one as the call
    /// progresses, and may deliver one twice) replaces what was known. True when it was new.
    @discardableResult
    func record(_ c: CallRecord) throws -> Bool {
        let existed = try db.row("SELECT 1 AS one FROM call_event WHERE call_sid = ?", [c.callSid.sqlValue]) != nil
        try db.execute("""
            INSERT INTO call_event (\(Calls.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(call_sid) DO UPDATE SET
              greenvn_id = excluded.greenvn_id, connection_id = excluded.connection_id, green_vn = excluded.green_vn,
              from_number = excluded.from_number, to_number = excluded.to_number, direction = excluded.direction,
              call_type = excluded.call_type, status = excluded.status, started_at = excluded.started_at,
              dial_seconds = excluded.dial_seconds, talk_seconds = excluded.talk_seconds,
              recording_url = excluded.recording_url, received_at = excluded.received_at
            """, [c.callSid.sqlValue, c.greenvnId.sqlValue, c.connectionId.sqlValue, c.greenVN.sqlValue, c.from.sqlValue,
                  c.to.sqlValue, c.direction.sqlValue, c.callType.sqlValue, c.status.sqlValue,
                  c.startedAt.map(Millis.from).sqlValue, c.dialSeconds.sqlValue, c.talkSeconds.sqlValue,
                  c.recordingURL.sqlValue, Millis.from(c.receivedAt).sqlValue])
        return !existed
    }

    /// Newest first.
    public func calls(of greenvnId: String, limit: Int) throws -> [CallRecord] {
        try db.query("SELECT * FROM call_event WHERE greenvn_id = ? ORDER BY COALESCE(started_at, received_at) DESC, id DESC LIMIT ?",
                     [greenvnId.sqlValue, max(0, limit).sqlValue]).map(Calls.record)
    }
}
