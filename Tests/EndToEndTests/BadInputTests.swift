import Foundation
import GreenVNKit
import Testing

/// Bad input on the command line: each row runs the real binary against a counting server and
/// must be refused with exit 2, the field (API name or flag) named on stderr, nothing on stdout,
/// no request sent, and no control byte echoed back to the terminal.
@Suite struct BadInput {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let args: [String]
        /// Any one of these must appear on stderr (the API field name or the flag).
        let names: [String]
        /// Run without credentials (the embedded simulator must not even start).
        var noCredentials = false
        var env: [String: String] = [:]
        var testDescription: String { name }
    }

    static let a = "+919876543210", b = "+918765432109"

    /// `greenvn allocate` with valid parties and usage unless the row replaces them.
    static func allocate(_ name: String, a: [String] = [BadInput.a], b: [String] = [BadInput.b], usage: String? = "twoway",
                         _ extra: [String] = [], names: [String]) -> Case {
        var args = ["allocate"]
        for n in a { args += ["--a", n] }
        for n in b { args += ["--b", n] }
        if let usage { args += ["--usage", usage] }
        return Case(name: name, args: args + extra, names: names)
    }

    static let id = "0b7f2c9e-5d1a-4c3b-9e8f-1a2b3c4d5e6f"
    static let long65 = String(repeating: "x", count: 65)

    static let cases: [Case] = [
        // E.164
        allocate("A: letters", a: ["12ab"], names: ["aparty_numbers"]),
        allocate("A: plus only", a: ["+"], names: ["aparty_numbers"]),
        allocate("A: 7 digits", a: ["+9198765"], names: ["aparty_numbers"]),
        allocate("A: 16 digits", a: ["+9198765432101234"], names: ["aparty_numbers"]),
        allocate("A: country code 0", a: ["+0198765432"], names: ["aparty_numbers"]),
        allocate("A: short local number", a: ["98765"], names: ["aparty_numbers"]),
        allocate("A: 10 digits not a mobile", a: ["1234567890"], names: ["aparty_numbers"]),
        allocate("A: two pluses", a: ["++919876543210"], names: ["aparty_numbers"]),
        allocate("A: fullwidth digits", a: ["+９１９８７６５４３２１０"], names: ["aparty_numbers"]),
        allocate("A: second of two bad", a: ["+919876543210, +9198"], names: ["aparty_numbers"]),
        allocate("A: empty", a: [""], names: ["aparty_numbers"]),
        allocate("A: missing", a: [], names: ["aparty_numbers"]),
        allocate("B: letter inside", b: ["+91876543210x"], names: ["bparty_numbers"]),
        allocate("B: missing", b: [], names: ["bparty_numbers"]),
        allocate("B: spaces only", b: ["   "], names: ["bparty_numbers"]),
        allocate("A: 101 numbers", a: (0..<101).map { "+9190000\(String(format: "%05d", $0))" }, names: ["aparty_numbers"]),
        allocate("A: listed twice", a: [a, a], names: ["aparty_numbers"]),
        // Same number both sides
        allocate("same number both sides", a: [a], b: [a], names: ["bparty_numbers"]),
        allocate("same number both sides once normalised", a: ["9876543210"], b: ["+91 98765-43210"], names: ["bparty_numbers"]),
        allocate("VN is a party's number", ["--greenvn", a], names: ["greenvn"]),
        // Pins
        allocate("A pin 0", ["--a-pin", "0"], names: ["aparty_pins"]),
        allocate("A pin negative", ["--a-pin=-5"], names: ["aparty_pins"]),
        allocate("A pin with letters", ["--a-pin", "12x4"], names: ["aparty_pins"]),
        allocate("A pin decimal", ["--a-pin", "12.5"], names: ["aparty_pins"]),
        allocate("B pin leading zero", ["--b-pin", "0123"], names: ["bparty_pins"]),
        allocate("B pin 16 digits", ["--b-pin", "1234567890123456"], names: ["bparty_pins"]),
        allocate("B pin twice", ["--b-pin", "1234", "--b-pin", "1234"], names: ["bparty_pins"]),
        allocate("A pin overflowing Int", ["--a-pin", "99999999999999999999999"], names: ["aparty_pins"]),
        allocate("A pins: 101", ["--a-pin", (1...101).map(String.init).joined(separator: ",")], names: ["aparty_pins"]),
        // Usage, region, type, pin code
        allocate("usage unknown", usage: "both", names: ["usage"]),
        allocate("usage missing", usage: nil, names: ["usage"]),
        allocate("region unknown", ["--region", "ZZ"], names: ["region"]),
        allocate("region full name", ["--region", "Karnataka"], names: ["region"]),
        allocate("type unknown", ["--type", "satellite"], names: ["type"]),
        allocate("pin code 5 digits", ["--pin-code", "56001"], names: ["pin_code"]),
        allocate("pin code leading 0", ["--pin-code", "056001"], names: ["pin_code"]),
        allocate("pin code letters", ["--pin-code", "56000A"], names: ["pin_code"]),
        allocate("VN not E.164", ["--greenvn", "12ab"], names: ["greenvn"]),
        // Durations
        allocate("duration in years", ["--duration", "1y"], names: ["duration"]),
        allocate("duration without unit", ["--duration", "600"], names: ["duration"]),
        allocate("duration under 5 minutes", ["--duration", "299s"], names: ["duration"]),
        allocate("duration over 170 days", ["--duration", "171d"], names: ["duration"]),
        allocate("duration negative", ["--duration=-5m"], names: ["duration"]),
        allocate("duration zero", ["--duration", "0s"], names: ["duration"]),
        allocate("duration fractional", ["--duration", "1.5h"], names: ["duration"]),
        allocate("duration overflowing", ["--duration", "99999999999999999999d"], names: ["duration"]),
        allocate("duration unit only", ["--duration", "h"], names: ["duration"]),
        // Identifiers and over-long fields
        allocate("connection_id 65 characters", ["--connection-id", long65], names: ["connection_id"]),
        allocate("connection_id empty", ["--connection-id", ""], names: ["connection_id"]),
        allocate("connection_id with a space", ["--connection-id", "order 1"], names: ["connection_id"]),
        allocate("connection_id non-ASCII", ["--connection-id", "órder-1"], names: ["connection_id"]),
        allocate("flow_id 65 characters", ["--flow-id", Self.long65], names: ["flow_id"]),
        allocate("flow_id 100k characters", ["--flow-id", String(repeating: "f", count: 100_000)], names: ["flow_id"]),
        allocate("region 10k characters", ["--region", String(repeating: "K", count: 10_000)], names: ["region"]),
        // Control characters and escape sequences in values
        allocate("connection_id with CSI clear screen", ["--connection-id", "c1\u{1B}[2J\u{1B}[H"], names: ["connection_id"]),
        allocate("connection_id with a newline", ["--connection-id", "c1\nc2"], names: ["connection_id"]),
        allocate("flow_id with a tab", ["--flow-id", "flow\t1"], names: ["flow_id"]),
        allocate("flow_id with DEL", ["--flow-id", "flow\u{7F}"], names: ["flow_id"]),
        allocate("flow_id with a C1 CSI", ["--flow-id", "f\u{9B}31m"], names: ["flow_id"]),
        allocate("A with OSC 52 clipboard write", a: ["\u{1B}]52;c;cHduZWQ=\u{07}+919876543210"], names: ["aparty_numbers"]),
        allocate("B with a BEL", b: ["+918765432109\u{07}"], names: ["bparty_numbers"]),
        allocate("usage with colour escapes", usage: "\u{1B}[31mtwoway\u{1B}[0m", names: ["usage"]),
        allocate("region with a C1 CSI", ["--region", "\u{9B}KA"], names: ["region"]),
        allocate("type with SOH", ["--type", "mobile\u{01}"], names: ["type"]),
        allocate("pin with an escape", ["--a-pin", "12\u{1B}[2J34"], names: ["aparty_pins"]),
        allocate("duration with a title-setting OSC", ["--duration", "\u{1B}]0;pwned\u{07}600s"], names: ["duration"]),
        // Swap
        Case(name: "swap: VN not E.164", args: ["swap", id, "--greenvn", "12ab"], names: ["greenvn"]),
        Case(name: "swap: region unknown", args: ["swap", id, "--region", "XX"], names: ["region"]),
        Case(name: "swap: type unknown", args: ["swap", id, "--type", "fax"], names: ["type"]),
        Case(name: "swap: pin code letters", args: ["swap", id, "--pin-code", "abcdef"], names: ["pin_code"]),
        Case(name: "swap: empty id", args: ["swap", ""], names: ["greenvn_id"]),
        Case(name: "swap: id with a slash", args: ["swap", "../../etc"], names: ["greenvn_id"]),
        Case(name: "swap: id with escapes", args: ["swap", "id\u{1B}[2J"], names: ["greenvn_id"]),
        // Other verbs
        Case(name: "show: id with a space", args: ["show", "a b"], names: ["greenvn_id"]),
        Case(name: "import: id of 129 characters", args: ["import", String(repeating: "i", count: 129)], names: ["greenvn_id"]),
        Case(name: "deallocate: id with OSC", args: ["deallocate", "\u{1B}]0;x\u{07}", "--yes"], names: ["greenvn_id"]),
        Case(name: "deallocate: no --yes off a terminal", args: ["deallocate", id], names: ["greenvn_id", "--yes"]),
        Case(name: "list: unknown state", args: ["list", "--state", "frozen"], names: ["--state", "state"]),
        Case(name: "bulk: concurrency 0", args: ["bulk", "/nonexistent.csv", "--concurrency", "0"], names: ["concurrency"]),
        Case(name: "bulk: concurrency 65", args: ["bulk", "/nonexistent.csv", "--concurrency", "65"], names: ["concurrency"]),
        Case(name: "bulk: concurrency not a number", args: ["bulk", "/nonexistent.csv", "--concurrency", "many"], names: ["--concurrency"]),
        Case(name: "bulk: concurrency with escapes", args: ["bulk", "/nonexistent.csv", "--concurrency", "\u{1B}]0;pwned\u{07}"], names: ["--concurrency"]),
        Case(name: "bulk: no such file", args: ["bulk", "/nonexistent/file.csv"], names: ["file", "FILE"]),
        // Flags the parser refuses
        Case(name: "unknown flag", args: ["allocate", "--frobnicate"], names: ["--frobnicate"]),
        Case(name: "unknown flag with escapes", args: ["allocate", "--\u{1B}[2J"], names: ["Unknown option", "unknown option"]),
        Case(name: "flag without its value", args: ["allocate", "--usage", "twoway", "--a"], names: ["--a"]),
        // Connection settings
        Case(name: "base URL with an ftp scheme", args: ["show", id, "--base-url", "ftp://127.0.0.1/v1"], names: ["base URL", "--base-url"]),
        Case(name: "base URL not a URL", args: ["show", id, "--base-url", "not a url"], names: ["base URL", "--base-url"]),
        Case(name: "incomplete credentials", args: ["show", id, "--api-key", "k-only"], names: ["--account-sid", "--api-token"], noCredentials: true),
    ]

    @Test(arguments: cases)
    func refusedBeforeAnythingIsSent(_ c: Case) throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = c.noCredentials ? Binary.environment(home: home, extra: c.env) : RawBinary.env(home: home, server: server, extra: c.env)
        let r = try RawBinary.run(c.args, env: env)
        #expect(r.status == 2, "exit \(r.status); stderr: \(r.err.prefix(800))")
        #expect(c.names.contains { r.err.contains($0) }, "none of \(c.names) named in: \(r.err.prefix(800))")
        #expect(r.stdout.isEmpty, "stdout: \(r.out.prefix(300))")
        #expect(server.requestCount == 0, "a request was sent")
        #expect(!FileManager.default.fileExists(atPath: home + "/data/simulator/state.sqlite"), "the embedded simulator was started")
        #expect(terminalControl(in: r.stderr) == nil, "stderr echoes a control byte: \(terminalControl(in: r.stderr) ?? "")")
        #expect(r.stderr.count < 16_000, "the message is short (\(r.stderr.count) bytes)")
    }

    /// Every invalid field is named at once, on its own line.
    @Test func everyInvalidFieldIsNamedAtOnce() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let r = try RawBinary.run(["allocate", "--a", "12ab", "--b", "+9198", "--usage", "both", "--a-pin", "0", "--b-pin", "x",
                                   "--region", "ZZ", "--type", "fax", "--pin-code", "1", "--duration", "1y", "--greenvn", "1",
                                   "--connection-id", "a b", "--flow-id", Self.long65],
                                  env: RawBinary.env(home: Binary.tempHome(), server: server))
        #expect(r.status == 2)
        for f in ["aparty_numbers", "bparty_numbers", "usage", "aparty_pins", "bparty_pins", "region", "type", "pin_code",
                  "duration", "greenvn", "connection_id", "flow_id"] {
            #expect(r.err.contains("  \(f): "), "\(f) not named in: \(r.err)")
        }
        #expect(server.requestCount == 0)
    }
}

/// `greenvn bulk` on files with bad rows: each bad row is reported with its line number and
/// field and never sent; the good row beside it is sent; exit 2.
@Suite struct BulkBadInput {
    static let header = "connection_id,aparty_numbers,bparty_numbers,usage,aparty_pins,bparty_pins,region,pin_code,type,duration,flow_id,strictness,greenvn"

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let field: String
        var testDescription: String { name }
    }

    /// One data row with valid values unless replaced.
    static func row(_ values: [String: String]) -> String {
        let columns = header.split(separator: ",").map(String.init)
        let defaults = ["connection_id": "bad-1", "aparty_numbers": "+919876543210", "bparty_numbers": "+918765432109", "usage": "twoway"]
        return columns.map { values[$0] ?? defaults[$0] ?? "" }.joined(separator: ",")
    }

    static func r(_ name: String, _ values: [String: String], _ field: String) -> Row {
        Row(name: name, bytes: Array(row(values).utf8), field: field)
    }

    static func raw(_ name: String, column: String, _ bytes: [UInt8], _ field: String) -> Row {
        let marker = "@@"
        let text = row([column: marker])
        let parts = text.components(separatedBy: marker)
        return Row(name: name, bytes: Array(parts[0].utf8) + bytes + Array(parts[1].utf8), field: field)
    }

    static let rows: [Row] = [
        r("A not E.164", ["aparty_numbers": "12ab"], "aparty_numbers"),
        r("B too short", ["bparty_numbers": "+91"], "bparty_numbers"),
        r("A empty", ["aparty_numbers": ""], "aparty_numbers"),
        r("same number both sides", ["bparty_numbers": "+919876543210"], "bparty_numbers"),
        r("A listed twice", ["aparty_numbers": "+919876543210;+919876543210"], "aparty_numbers"),
        r("usage unknown", ["usage": "sometimes"], "usage"),
        r("usage empty", ["usage": ""], "usage"),
        r("A pin 0", ["aparty_pins": "0"], "aparty_pins"),
        r("A pin negative", ["aparty_pins": "-1"], "aparty_pins"),
        r("B pin letters", ["bparty_pins": "12a"], "bparty_pins"),
        r("B pin 16 digits", ["bparty_pins": "1234567890123456"], "bparty_pins"),
        r("region unknown", ["region": "ZZ"], "region"),
        r("type unknown", ["type": "fax"], "type"),
        r("pin code 5 digits", ["pin_code": "12345"], "pin_code"),
        r("duration in years", ["duration": "1y"], "duration"),
        r("duration under 5 minutes", ["duration": "4m"], "duration"),
        r("duration over 170 days", ["duration": "171d"], "duration"),
        r("flow_id 65 characters", ["flow_id": String(repeating: "f", count: 65)], "flow_id"),
        r("connection_id 65 characters", ["connection_id": String(repeating: "c", count: 65)], "connection_id"),
        r("connection_id empty", ["connection_id": ""], "connection_id"),
        r("connection_id with a space", ["connection_id": "bad 1"], "connection_id"),
        r("connection_id repeats line 2", ["connection_id": "good-1"], "connection_id"),
        r("strictness not a boolean", ["strictness": "maybe"], "strictness"),
        r("VN not E.164", ["greenvn": "12"], "greenvn"),
        r("VN is a party's number", ["greenvn": "+918765432109"], "greenvn"),
        r("region 10k characters", ["region": String(repeating: "R", count: 10_000)], "region"),
        r("101 A numbers", ["aparty_numbers": (0..<101).map { "+9190000\(String(format: "%05d", $0))" }.joined(separator: ";")], "aparty_numbers"),
        r("an unquoted comma adds a field", ["greenvn": "+918000000001,extra"], "greenvn"),
        raw("connection_id with CSI", column: "connection_id", Array("bad\u{1B}[2J".utf8), "connection_id"),
        raw("A with OSC 52", column: "aparty_numbers", Array("\u{1B}]52;c;cHduZWQ=\u{07}+919876543210".utf8), "aparty_numbers"),
        raw("region with a C1 CSI", column: "region", Array("\u{9B}KA".utf8), "region"),
        raw("usage with NUL", column: "usage", [0x74, 0x77, 0x6F, 0x00, 0x77, 0x61, 0x79], "usage"),
        raw("flow_id with a tab", column: "flow_id", Array("flow\t1".utf8), "flow_id"),
        raw("invalid UTF-8 in A", column: "aparty_numbers", [0x2B, 0x39, 0x31, 0xFF, 0xFE], "aparty_numbers"),
        raw("truncated UTF-8 in flow_id", column: "flow_id", [0x66, 0xE2, 0x82], "flow_id"),
        raw("overlong UTF-8 in connection_id", column: "connection_id", [0x63, 0xC0, 0xAF], "connection_id"),
        raw("raw C1 byte in region", column: "region", [0x9B, 0x4B, 0x41], "region"),
        raw("quote never closed", column: "flow_id", Array("\"flow,never closed".utf8), "greenvn"),
    ]

    static let goodRow = row(["connection_id": "good-1"])

    @Test(arguments: rows)
    func badRowIsReportedWithItsLineAndNeverSent(_ c: Row) throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let file = home + "/rows.csv"
        // line 1 header, line 2 a good row, line 3 the bad one
        let bytes = Array((Self.header + "\n" + Self.goodRow + "\n").utf8) + c.bytes + [0x0A]
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let r = try RawBinary.run(["bulk", file], env: RawBinary.env(home: home, server: server))
        #expect(r.status == 2, "exit \(r.status); stderr: \(r.err.prefix(800))")
        #expect(r.err.contains("line 3: \(c.field): "), "line 3 / \(c.field) not reported: \(r.err.prefix(800))")
        #expect(!r.err.contains("greenvn: line 2:"), "the good row was reported: \(r.err.prefix(800))")
        let sent = server.requests.compactMap { (try? JSONValue.parse($0.body))?["connection_id"]?.stringValue }
        #expect(sent == ["good-1"], "only the good row is sent, got \(sent)")
        #expect(r.out.contains("1 allocated") && r.out.contains("1 invalid"), "summary: \(r.out)")
        #expect(terminalControl(in: r.stderr) == nil, "stderr echoes a control byte: \(terminalControl(in: r.stderr) ?? "")")
        #expect(terminalControl(in: r.stdout) == nil)
    }

    /// A file of nothing but bad rows: every line reported, no session opened, nothing sent.
    @Test func fileOfOnlyBadRowsSendsNothing() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let file = home + "/bad.csv"
        var bytes = Array((Self.header + "\n").utf8)
        let bad = Self.rows.filter { $0.name != "connection_id repeats line 2" && $0.name != "quote never closed" }
        for (i, row) in bad.enumerated() {
            // distinct connection_ids so no row is refused only as a repeat of another
            let text = String(decoding: row.bytes, as: UTF8.self)
            let unique: [UInt8] = text.hasPrefix("bad-1,") ? Array("bad-\(i),".utf8) + Array(row.bytes.dropFirst(6)) : row.bytes
            bytes += unique + [0x0A]
        }
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let r = try RawBinary.run(["bulk", file], env: RawBinary.env(home: home, server: server))
        #expect(r.status == 2, "\(r.err.prefix(800))")
        for (i, row) in bad.enumerated() {
            #expect(r.err.contains("line \(i + 2): \(row.field): "), "line \(i + 2) (\(row.name)) not reported as \(row.field)")
        }
        #expect(r.err.contains("nothing was sent"))
        #expect(server.requestCount == 0)
        #expect(terminalControl(in: r.stderr) == nil)
    }

    @Test(arguments: [
        ("unknown column", "connection_id,aparty_numbers,bparty_numbers,usage,colour\n", "colour"),
        ("repeated column", "connection_id,aparty_numbers,bparty_numbers,usage,usage\n", "usage"),
        ("missing required column", "connection_id,aparty_numbers,usage\n", "bparty_numbers"),
        ("empty file", "", "empty"),
        ("header with escapes", "connection_id,aparty_numbers,bparty_numbers,usage,\u{1B}]0;pwned\u{07}\n", "unknown column"),
    ])
    func badHeaderIsReportedOnLineOne(_ c: (String, String, String)) throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let file = home + "/h.csv"
        FileManager.default.createFile(atPath: file, contents: Data((c.1 + "x-1,+919876543210,+918765432109,twoway\n").utf8))
        if c.0 == "empty file" { FileManager.default.createFile(atPath: file, contents: Data()) }
        let r = try RawBinary.run(["bulk", file], env: RawBinary.env(home: home, server: server))
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("line 1: ") && r.err.contains(c.2), "\(r.err)")
        #expect(server.requestCount == 0)
        #expect(terminalControl(in: r.stderr) == nil)
    }
}
