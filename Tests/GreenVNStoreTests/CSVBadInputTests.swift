import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// Bad CSV rows at the `BulkImport.parse` level: each row (line 3, after a good row on line 2)
/// is reported on its own line with the field named, the good row alone is kept to be sent,
/// and no message carries a control character to the terminal.
@Suite struct CSVBadInput {
    static let header = "connection_id,aparty_numbers,bparty_numbers,usage,aparty_pins,bparty_pins,region,pin_code,type,duration,flow_id,strictness,greenvn"

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let field: Field
        var testDescription: String { name }
    }

    static func row(_ values: [String: String]) -> String {
        let columns = header.split(separator: ",").map(String.init)
        let defaults = ["connection_id": "bad-1", "aparty_numbers": "+919876543210", "bparty_numbers": "+918765432109", "usage": "twoway"]
        return columns.map { values[$0] ?? defaults[$0] ?? "" }.joined(separator: ",")
    }

    static func r(_ name: String, _ values: [String: String], _ field: Field) -> Row {
        Row(name: name, bytes: Array(row(values).utf8), field: field)
    }

    /// A row whose `column` holds exactly `bytes` (invalid UTF-8, NUL, raw escapes).
    static func raw(_ name: String, column: String, _ bytes: [UInt8], _ field: Field) -> Row {
        let parts = row([column: "@@"]).components(separatedBy: "@@")
        return Row(name: name, bytes: Array(parts[0].utf8) + bytes + Array(parts[1].utf8), field: field)
    }

    static let rows: [Row] = [
        r("A not E.164", ["aparty_numbers": "12ab"], .apartyNumbers),
        r("A country code 0", ["aparty_numbers": "+0198765432"], .apartyNumbers),
        r("A 16 digits", ["aparty_numbers": "+9198765432101234"], .apartyNumbers),
        r("A second of two bad", ["aparty_numbers": "+919876543210;+9198"], .apartyNumbers),
        r("B too short", ["bparty_numbers": "+91"], .bpartyNumbers),
        r("A empty", ["aparty_numbers": ""], .apartyNumbers),
        r("B only separators", ["bparty_numbers": " ; ; "], .bpartyNumbers),
        r("same number both sides", ["bparty_numbers": "+919876543210"], .bpartyNumbers),
        r("same number both sides once normalised", ["aparty_numbers": "9876543210", "bparty_numbers": "+91 98765-43210"], .bpartyNumbers),
        r("A listed twice", ["aparty_numbers": "+919876543210;+919876543210"], .apartyNumbers),
        r("101 A numbers", ["aparty_numbers": (0..<101).map { "+9190000\(String(format: "%05d", $0))" }.joined(separator: ";")], .apartyNumbers),
        r("usage unknown", ["usage": "sometimes"], .usage),
        r("usage empty", ["usage": ""], .usage),
        r("A pin 0", ["aparty_pins": "0"], .apartyPins),
        r("A pin negative", ["aparty_pins": "-1"], .apartyPins),
        r("A pin decimal", ["aparty_pins": "1.5"], .apartyPins),
        r("B pin letters", ["bparty_pins": "12a"], .bpartyPins),
        r("B pin 16 digits", ["bparty_pins": "1234567890123456"], .bpartyPins),
        r("B pin twice", ["bparty_pins": "1234;1234"], .bpartyPins),
        r("region unknown", ["region": "ZZ"], .region),
        r("type unknown", ["type": "fax"], .type),
        r("pin code 5 digits", ["pin_code": "12345"], .pinCode),
        r("pin code leading 0", ["pin_code": "012345"], .pinCode),
        r("duration in years", ["duration": "1y"], .duration),
        r("duration under 5 minutes", ["duration": "4m"], .duration),
        r("duration over 170 days", ["duration": "171d"], .duration),
        r("duration without unit", ["duration": "600"], .duration),
        r("flow_id 65 characters", ["flow_id": String(repeating: "f", count: 65)], .flowId),
        r("flow_id with a space", ["flow_id": "flow 1"], .flowId),
        r("connection_id 65 characters", ["connection_id": String(repeating: "c", count: 65)], .connectionId),
        r("connection_id empty", ["connection_id": ""], .connectionId),
        r("connection_id with a space", ["connection_id": "bad 1"], .connectionId),
        r("connection_id repeats line 2", ["connection_id": "good-1"], .connectionId),
        r("strictness not a boolean", ["strictness": "maybe"], .strictness),
        r("VN not E.164", ["greenvn": "12"], .greenvn),
        r("VN is a party's number", ["greenvn": "+918765432109"], .greenvn),
        r("region 10k characters", ["region": String(repeating: "R", count: 10_000)], .region),
        r("an unquoted comma adds a field", ["greenvn": "+918000000001,extra"], .greenvn),
        raw("connection_id with CSI", column: "connection_id", Array("bad\u{1B}[2J".utf8), .connectionId),
        raw("A with OSC 52", column: "aparty_numbers", Array("\u{1B}]52;c;cHduZWQ=\u{07}+919876543210".utf8), .apartyNumbers),
        raw("usage with colour escapes", column: "usage", Array("\u{1B}[31mtwoway".utf8), .usage),
        raw("region with a C1 CSI", column: "region", Array("\u{9B}KA".utf8), .region),
        raw("usage with NUL", column: "usage", [0x74, 0x77, 0x6F, 0x00, 0x77, 0x61, 0x79], .usage),
        raw("flow_id with a tab", column: "flow_id", Array("flow\t1".utf8), .flowId),
        raw("flow_id with a quoted line break", column: "flow_id", Array("\"flow\n1\"".utf8), .flowId),
        raw("invalid UTF-8 in A", column: "aparty_numbers", [0x2B, 0x39, 0x31, 0xFF, 0xFE], .apartyNumbers),
        raw("truncated UTF-8 in flow_id", column: "flow_id", [0x66, 0xE2, 0x82], .flowId),
        raw("overlong UTF-8 in connection_id", column: "connection_id", [0x63, 0xC0, 0xAF], .connectionId),
        raw("UTF-16 surrogate bytes in B", column: "bparty_numbers", [0xED, 0xA0, 0x80], .bpartyNumbers),
        raw("raw C1 byte in region", column: "region", [0x9B, 0x4B, 0x41], .region),
        raw("quote never closed", column: "flow_id", Array("\"flow,never closed".utf8), .greenvn),
    ]

    static let goodRow = row(["connection_id": "good-1"])

    static func parse(_ bytes: [UInt8]) -> (rows: [(line: Int, request: AllocationRequest)], invalid: [(line: Int, errors: [FieldError])]) {
        BulkImport.parse(csv: Data(bytes))
    }

    @Test(arguments: rows)
    func badRowIsReportedOnItsLineWithItsField(_ c: Row) {
        let bytes = Array((Self.header + "\r\n" + Self.goodRow + "\r\n").utf8) + c.bytes + [0x0D, 0x0A]
        let parsed = Self.parse(bytes)
        #expect(parsed.rows.map(\.line) == [2], "only the good row is kept to send")
        #expect(parsed.rows.first?.request.connectionId == "good-1")
        #expect(parsed.invalid.map(\.line) == [3])
        let errors = parsed.invalid.first?.errors ?? []
        #expect(errors.contains { $0.field == c.field }, "\(c.field.rawValue) not named: \(errors)")
        #expect(errors.allSatisfy { $0.severity == .error })
        for e in errors {
            #expect(!Text.hasControl(e.message), "a control character in: \(e.message.debugDescription)")
            #expect(e.message.count < 500, "over-long message (\(e.message.count))")
        }
        // The same row on its own (no good row): nothing at all to send. (A repeated
        // connection_id is bad only beside the row it repeats.)
        guard c.name != "connection_id repeats line 2" else { return }
        let alone = Self.parse(Array((Self.header + "\n").utf8) + c.bytes)
        #expect(alone.rows.isEmpty)
        #expect(alone.invalid.map(\.line) == [2])
    }

    @Test(arguments: [
        ("unknown column", "connection_id,aparty_numbers,bparty_numbers,usage,colour", Field?.none),
        ("repeated column", "connection_id,aparty_numbers,bparty_numbers,usage,usage", Field.usage),
        ("missing required column", "connection_id,aparty_numbers,usage", Field.bpartyNumbers),
        ("header with escapes", "connection_id,aparty_numbers,bparty_numbers,usage,\u{1B}]0;pwned\u{07}", Field?.none),
        ("header with a replacement character", "connection_id,aparty_numbers,bparty_numbers,usage,\u{FFFD}", Field?.none),
    ])
    func badHeaderStopsEveryRow(_ c: (String, String, Field?)) {
        let parsed = Self.parse(Array((c.1 + "\n" + Self.goodRow + "\n").utf8))
        #expect(parsed.rows.isEmpty, "no row is sent under a bad header")
        #expect(parsed.invalid.map(\.line) == [1])
        let errors = parsed.invalid.first?.errors ?? []
        if let f = c.2 { #expect(errors.contains { $0.field == f }, "\(errors)") }
        #expect(!errors.isEmpty && errors.allSatisfy { !Text.hasControl($0.message) }, "\(errors)")
    }

    @Test func emptyFileIsReportedOnLineOne() {
        for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], Array("\n\n\r\n".utf8)] {
            let parsed = Self.parse(bytes)
            #expect(parsed.rows.isEmpty)
            #expect(parsed.invalid.map(\.line) == [1])
        }
    }

    /// Random garbage never traps and never yields a message with a control character.
    @Test func randomBytesNeverTrapNorLeakControls() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("\",;\r\n+91 0123456789abc\u{1B}[]".utf8) + [0x00, 0x07, 0x9B, 0xFF, 0xC2, 0x85]
        for _ in 0..<300 {
            let body = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let parsed = Self.parse(Array((Self.header + "\n").utf8) + body)
            for bad in parsed.invalid {
                #expect(bad.line >= 2)
                #expect(bad.errors.allSatisfy { !Text.hasControl($0.message) }, "\(bad.errors)")
            }
            for row in parsed.rows {
                #expect(!Text.hasControl(row.request.connectionId + (row.request.flowId ?? "") + (row.request.preferences.region?.rawValue ?? "")))
            }
        }
    }
}
