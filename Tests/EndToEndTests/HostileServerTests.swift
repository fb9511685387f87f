import Foundation
import GreenVNKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Helpers shared by the end-to-end tests (CLI, BadInput, Secrets, HostileServer)

/// A loopback HTTP server that answers every request with what `reply` says and counts them:
/// proof that nothing was sent (`requestCount == 0`), and a stand-in for a hostile Lead Assist.
final class TestServer: @unchecked Sendable {
    struct Reply: Sendable {
        var status: Int
        var body: Data
        /// Written as is before the body when set (a hostile status line or headers).
        var rawHead: String? = nil
        /// Declared Content-Length; nil: the body's real length.
        var contentLength: Int? = nil

        static func json(_ status: Int, _ text: String) -> Reply { Reply(status: status, body: Data(text.utf8)) }
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false
    private var captured: [(head: String, body: Data)] = []

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    var requests: [(head: String, body: Data)] { lock.withLock { captured } }
    var requestCount: Int { lock.withLock { captured.count } }

    init(_ reply: @escaping @Sendable (_ head: String, _ body: Data) -> Reply) throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) } }
        listen(sock, 64)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        fd = sock
        let thread = Thread { [self] in self.serve(reply) }
        thread.start()
    }

    convenience init(status: Int, body: String) throws {
        let reply = Reply.json(status, body)
        try self.init { _, _ in reply }
    }

    /// Stops accepting; the accept loop notices within 100 ms.
    func stop() { lock.withLock { stopped = true } }

    deinit { stop() }

    private func serve(_ reply: @escaping @Sendable (String, Data) -> Reply) {
        defer { close(fd) }
        while !lock.withLock({ stopped }) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            guard let (head, body) = Self.readRequest(client) else { close(client); continue }
            lock.withLock { captured.append((head, body)) }
            let r = reply(head, body)
            var bytes = Data((r.rawHead ?? "HTTP/1.1 \(r.status) X\r\nContent-Type: application/json\r\nContent-Length: \(r.contentLength ?? r.body.count)\r\nConnection: close\r\n\r\n").utf8)
            bytes.append(r.body)
            Self.sendAll(client, bytes)
            shutdown(client, Int32(SHUT_WR))
            close(client)
        }
    }

    private static func readRequest(_ client: Int32) -> (String, Data)? {
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(client, &buf, buf.count, 0)
            if n <= 0 { return nil }
            data.append(contentsOf: buf[0..<n])
            if let range = data.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count - range.upperBound >= length {
                    return (head, Data(data[range.upperBound..<(range.upperBound + length)]))
                }
            }
        }
    }

    /// Never raises SIGPIPE when the client hangs up first (it stops reading huge bodies).
    private static func sendAll(_ client: Int32, _ bytes: Data) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// A tiny, well-behaved Lead Assist: a create answers with the allocation it asked for
    /// (greenvn_id "id-<connection_id>", VN `vn`); GET answers what it holds (an unknown id is
    /// made up on the spot), a swap moves the VN on by one, DELETE moves it to the vault.
    static func echo(vn: String = "+918047110001") -> @Sendable (String, Data) -> Reply {
        let lock = NSLock()
        nonisolated(unsafe) var held: [String: [String: JSONValue]] = [:]
        nonisolated(unsafe) var swaps = 0
        return { head, body in
            let parts = head.split(separator: " ")
            let method = parts.first.map(String.init) ?? ""
            let path = (parts.count > 1 ? parts[1] : "").split(separator: "/").map(String.init)
            let id = path.firstIndex(of: "greenvn").flatMap { $0 + 1 < path.count ? path[$0 + 1] : nil }
            return lock.withLock {
                var o: [String: JSONValue]
                if method == "POST" {
                    let request = (try? JSONValue.parse(body)) ?? .null
                    let cid = request["connection_id"]?.stringValue ?? "X1"
                    o = ["greenvn_id": .string("id-\(cid)"), "connection_id": .string(cid),
                         "aparty_numbers": request["aparty_numbers"] ?? .array([]), "bparty_numbers": request["bparty_numbers"] ?? .array([]),
                         "usage": request["usage"] ?? .string("twoway"), "state": .string("active"), "green_vn": .string(vn)]
                    held["id-\(cid)"] = o
                } else {
                    let key = (id ?? "x").removingPercentEncoding ?? "x"
                    o = held[key] ?? ["greenvn_id": .string(key), "connection_id": .string("cid-\(held.count)-\(key.prefix(20))"),
                                      "aparty_numbers": .array([.string("+919876543210")]), "bparty_numbers": .array([.string("+918765432109")]),
                                      "usage": .string("twoway"), "state": .string("active"), "green_vn": .string(vn)]
                    if method == "PUT" && path.last == "vn" {
                        swaps += 1
                        o["green_vn"] = .string("+9180471\(String(format: "%05d", 20_000 + swaps))")
                    }
                    if method == "DELETE" { o["state"] = .string("vault") }
                    held[key] = o
                }
                return Reply(status: 200, body: Wire.envelope(status: 200, data: .object(o)))
            }
        }
    }
}

/// The real binary with stdout and stderr as raw bytes (Binary.run decodes them as UTF-8,
/// which would hide a stray C1 byte behind U+FFFD).
enum RawBinary {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var out: String { String(decoding: stdout, as: UTF8.self) }
        var err: String { String(decoding: stderr, as: UTF8.self) }
    }

    static func run(_ args: [String], env: [String: String], timeout: Double = 60) throws -> Result {
        let r = try Spawned(args, env: env).waitData(timeout: timeout)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Environment pointing the binary at `server` with credentials (the token is distinctive).
    static func env(home: String, server: TestServer, token: String = "tok-SECRET-e2e", extra: [String: String] = [:]) -> [String: String] {
        var e = ["GREENVN_BASE_URL": server.baseURL, "EXOTEL_ACCOUNT_SID": "acme", "EXOTEL_API_KEY": "key-e2e-1234", "EXOTEL_API_TOKEN": token]
        for (k, v) in extra { e[k] = v }
        return Binary.environment(home: home, extra: e)
    }
}

/// Bytes a terminal would act on: C0 controls except newline, DEL, and C1 controls (as raw
/// bytes 0x80–0x9F outside UTF-8 sequences, or as the code points U+0080–U+009F). Returns a
/// description of the first one, nil when the output is clean.
func terminalControl(in data: Data) -> String? {
    for (i, b) in data.enumerated() where (b < 0x20 && b != 0x0A) || b == 0x7F {
        return String(format: "byte 0x%02X at %d", b, i)
    }
    guard let text = String(validating: data, as: UTF8.self) else {
        // Not UTF-8: a lone 0x80–0x9F byte is a C1 control to an 8-bit terminal.
        if let i = data.firstIndex(where: { (0x80...0x9F).contains($0) }) { return String(format: "raw byte 0x%02X at %d", data[i], i) }
        return "invalid UTF-8"
    }
    if let s = text.unicodeScalars.first(where: { (0x80...0x9F).contains($0.value) }) {
        return String(format: "C1 control U+%04X", s.value)
    }
    return nil
}

// MARK: - Hostile server answers

/// A server that answers with hostile bodies never crashes the CLI nor paints escape
/// sequences on the operator's terminal: the exit code is 3 (not Lead Assist JSON), 1 (a
/// refusal) or 0 with the strings made printable, and stdout/stderr hold no control bytes.
@Suite struct HostileServer {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let reply: TestServer.Reply
        /// Acceptable exit codes.
        let exits: Set<Int32>
        var testDescription: String { name }

        init(_ name: String, _ reply: TestServer.Reply, exits: Set<Int32>) {
            self.name = name
            self.reply = reply
            self.exits = exits
        }
        init(_ name: String, status: Int = 200, _ body: String, exits: Set<Int32>) {
            self.init(name, TestServer.Reply(status: status, body: Data(body.utf8)), exits: exits)
        }
        init(_ name: String, status: Int = 200, bytes: [UInt8], exits: Set<Int32>) {
            self.init(name, TestServer.Reply(status: status, body: Data(bytes)), exits: exits)
        }
    }

    static let id = "0b7f2c9e-5d1a-4c3b-9e8f-1a2b3c4d5e6f"
    static let esc = "\\u001b"

    /// A well-formed allocation with `fields` replaced (JSON text of each value).
    static func allocation(_ fields: [String: String] = [:], envelope: (String) -> String = { #"{"success":true,"status":200,"data":\#($0)}"# }) -> String {
        var o: [String: String] = [
            "greenvn_id": "\"\(id)\"", "connection_id": "\"X1\"", "aparty_numbers": #"["+919176226528"]"#,
            "bparty_numbers": #"["+918136966620"]"#, "usage": "\"twoway\"", "state": "\"active\"", "green_vn": "\"+918012345678\"",
        ]
        for (k, v) in fields { o[k] = v }
        return envelope("{" + o.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
    }

    static let depth = 100_000
    static let cases: [Case] = [
        // Deep nesting
        Case("100k nested arrays", String(repeating: "[", count: depth) + String(repeating: "]", count: depth), exits: [3]),
        Case("100k nested objects", String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth), exits: [3]),
        Case("deep nesting inside data", allocation(["flow_id": String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)]), exits: [0, 3]),
        Case("deep nesting, unclosed", String(repeating: "[{\"x\":", count: 30_000), exits: [3]),
        Case("deep nesting in an error body", status: 400, "[" + String(repeating: #"{"message":"#, count: 20_000) + "1" + String(repeating: "}", count: 20_000) + "]", exits: [1, 3]),
        // Huge bodies
        Case("5 MiB string", #"{"success":true,"data":{"greenvn_id":""# + String(repeating: "A", count: 5 << 20) + "\"}}", exits: [3]),
        Case("5 MiB of whitespace then JSON", String(repeating: " ", count: 5 << 20) + allocation(), exits: [3]),
        Case("900 KiB error message with escapes", status: 400,
             #"[{"success":false,"status":400,"code":5,"message":""# + String(repeating: "\(esc)[2J\(esc)]0;pwned\\u0007", count: 30_000) + "\"}]", exits: [1]),
        Case("50k-element number list", allocation(["aparty_numbers": "[" + Array(repeating: "\"+919176226528\"", count: 50_000).joined(separator: ",") + "]"]), exits: [0, 3]),
        Case("50k keys", "{" + (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}", exits: [3]),
        Case("huge declared length, short body", TestServer.Reply(status: 200, body: Data(allocation().utf8), contentLength: 1 << 30), exits: [3]),
        // Wrong types
        Case("data is a number", #"{"success":true,"status":200,"data":42}"#, exits: [3]),
        Case("data is a string with escapes", #"{"success":true,"status":200,"data":"\#(esc)[2J"}"#, exits: [3]),
        Case("data is an array", #"{"success":true,"status":200,"data":[1,2,3]}"#, exits: [3]),
        Case("greenvn_id is an object", allocation(["greenvn_id": #"{"a":1}"#]), exits: [3]),
        Case("aparty_numbers is a string", allocation(["aparty_numbers": #""+919176226528""#]), exits: [3]),
        Case("numbers are objects and nulls", allocation(["aparty_numbers": #"[{"x":1},null,true,1e400]"#]), exits: [0, 3]),
        Case("usage is a number", allocation(["usage": "7"]), exits: [3]),
        Case("success is a string, status an object", #"{"success":"yes","status":{"x":1},"code":[5],"data":null}"#, exits: [3]),
        Case("pins are strings and floats", allocation(["aparty_pins": #"["12\#(esc)[2J",1.5,-3,99999999999999999999]"#]), exits: [0, 3]),
        Case("top level is a string", #""\#(esc)]52;c;cHduZWQ=\u0007""#, exits: [3]),
        Case("array of two envelopes", "[" + allocation() + "," + allocation() + "]", exits: [3]),
        Case("code is huge", status: 400, #"{"success":false,"status":400,"code":1e308,"message":"x"}"#, exits: [1, 3]),
        // Escapes inside strings
        Case("escapes in every string", allocation([
            "greenvn_id": #""id-\#(esc)[2J\#(esc)[H""#, "connection_id": #""X1\#(esc)]0;pwned\u0007""#,
            "aparty_numbers": #"["+919176226528\#(esc)[31m","\u009b2J"]"#, "bparty_numbers": #"["\#(esc)]52;c;cHduZWQ=\u0007"]"#,
            "green_vn": #""+918012345678\#(esc)[?1049h""#, "flow_id": #""f\u0000\u0007\u0008\u007f\u0085\u009d""#,
        ]), exits: [0]),
        Case("greenvn spelling with escapes", allocation(["green_vn": #""\#(esc)c""#]).replacingOccurrences(of: "green_vn", with: "greenvn"), exits: [0]),
        Case("refusal message with escapes", status: 409,
             #"[{"success":false,"status":409,"code":18,"message":"\#(esc)[2J\#(esc)[3J\#(esc)]52;c;cHduZWQ=\u0007\u009b31mgone"}]"#, exits: [1]),
        Case("5xx message with escapes", status: 503, #"{"success":false,"status":503,"code":0,"message":"\#(esc)[2J down"}"#, exits: [3]),
        Case("HTML with raw ESC bytes", status: 502, bytes: Array("<html>\u{1B}[2J\u{1B}]0;pwned\u{07}".utf8) + [0x9B, 0x32, 0x4A], exits: [3]),
        Case("raw control bytes inside a JSON string", bytes: Array(#"{"success":true,"data":{"greenvn_id":""#.utf8) + [0x1B, 0x5B, 0x32, 0x4A] + Array("\"}}".utf8), exits: [3]),
        Case("invalid UTF-8 inside strings", bytes: Array(#"{"success":true,"status":200,"data":{"greenvn_id":""#.utf8) + [0xFF, 0x9B, 0xC0, 0xAF] + Array(#"","green_vn":"+918012345678","usage":"twoway","aparty_numbers":[],"bparty_numbers":[]}}"#.utf8), exits: [0, 3]),
        Case("NUL bytes", bytes: [0, 0, 0, 0x1B, 0x5B, 0x32, 0x4A, 0], exits: [3]),
        Case("empty 200", "", exits: [3]),
        Case("hostile status line and headers", TestServer.Reply(status: 200, body: Data(allocation().utf8),
             rawHead: "HTTP/1.1 200 \u{1B}[2J\u{1B}]0;pwned\u{07}\r\nX-Evil: \u{1B}[2J\r\nContent-Length: \(allocation().utf8.count)\r\nConnection: close\r\n\r\n"),
             exits: [0, 3]),
    ]

    @Test(arguments: cases)
    func answerNeverCrashesNorPaintsEscapes(_ c: Case) throws {
        let reply = c.reply
        let server = try TestServer { _, _ in reply }
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server)
        // Both verbs at once: most of the time goes to the client's retries and backoff.
        let verbs = [["show", Self.id], ["import", Self.id, "--json"]]
        let lock = NSLock()
        nonisolated(unsafe) var results: [RawBinary.Result?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: verbs.count) { i in
            let r = try? RawBinary.run(verbs[i], env: env, timeout: 90)
            lock.withLock { results[i] = r }
        }
        for (args, result) in zip(verbs, results) {
            let r = try #require(result, "\(args[0]) could not be run")
            #expect(c.exits.contains(r.status), "\(args[0]): exit \(r.status), stderr: \(r.err.prefix(600))")
            #expect(r.status < 128, "\(args[0]) died of a signal")
            #expect(terminalControl(in: r.stdout) == nil, "\(args[0]) stdout: \(terminalControl(in: r.stdout) ?? "")")
            #expect(terminalControl(in: r.stderr) == nil, "\(args[0]) stderr: \(terminalControl(in: r.stderr) ?? "")")
            #expect(r.stderr.count < 8_000, "\(args[0]): the error is a short message, not the body (\(r.stderr.count) bytes)")
            if r.status == 0 && args.contains("--json") {
                let printed = try JSONValue.parse(r.stdout)
                #expect(printed["green_vn"]?.stringValue != nil)
            }
            if r.status != 0 { #expect(r.stdout.isEmpty, "nothing on stdout after a failure") }
        }
        #expect(server.requestCount >= 2)
    }

    /// The allocation an escape-laden answer leaves in the registry lists cleanly too.
    @Test func listAfterAHostileImportIsClean() throws {
        let body = Self.allocation([
            "greenvn_id": #""id-\#(Self.esc)[2J""#, "connection_id": #""X1\#(Self.esc)]0;pwned\u0007""#,
            "green_vn": #""+918012345678\#(Self.esc)[?1049h""#, "aparty_numbers": #"["\u009b2J+919176226528"]"#,
        ])
        let server = try TestServer(status: 200, body: body)
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server)
        let imported = try RawBinary.run(["import", "whatever"], env: env)
        #expect(imported.status == 0, "\(imported.err)")
        for args in [["list"], ["list", "--json"], ["show", "id-?[2J"]] {
            let r = try RawBinary.run(args, env: env)
            #expect(r.status == 0 || args[0] == "show", "\(args): \(r.err)")
            #expect(terminalControl(in: r.stdout) == nil, "\(args) stdout: \(terminalControl(in: r.stdout) ?? "")")
            #expect(terminalControl(in: r.stderr) == nil, "\(args) stderr: \(terminalControl(in: r.stderr) ?? "")")
        }
        let listed = try RawBinary.run(["list"], env: env)
        #expect(listed.out.contains("+918012345678"), "\(listed.out)")
    }
}

/// The console shows an allocation whose strings came from a hostile server without acting
/// on any of its escapes: the screen is not cleared, the title and clipboard are untouched,
/// and the pane holds no sequence but colours.
@Suite(.serialized) struct HostileServerConsole {
    static let esc = "\\u001b"

    @Test func hostileStringsAreShownInertInTheConsole() throws {
        let body = HostileServer.allocation([
            "greenvn_id": #""gvn-evil-\#(Self.esc)[2J\#(Self.esc)[H""#, "connection_id": #""conn\#(Self.esc)]0;pwned-title\u0007\#(Self.esc)]52;c;cHduZWQ=\u0007""#,
            "green_vn": #""+918012345678\#(Self.esc)[?1049l\#(Self.esc)c""#, "aparty_numbers": #"["+919176226528\u009b2J","\#(Self.esc)[5n"]"#,
            "flow_id": #""flow\#(Self.esc)P+q544e\#(Self.esc)\\""#,
        ])
        let server = try TestServer(status: 200, body: body)
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server)
        let imported = try RawBinary.run(["import", "gvn-evil"], env: env)
        #expect(imported.status == 0, "\(imported.err)")

        let tui = try Pane(width: 120, height: 36, home: home, env: env)
        try tui.waitFor("+918012345678")
        try tui.type("j")                                  // select it: the detail pane shows every string
        try tui.waitFor("conn")
        usleep(300_000)
        let screen = try tui.screen()
        #expect(screen.contains("+918012345678"), "the row is still drawn: nothing cleared the screen\n\(screen)")
        #expect(screen.contains("acme") || screen.contains("127.0.0.1"), "the status line is intact\n\(screen)")
        let styled = try tui.styled()
        #expect(foreignSequences(styled).isEmpty, "sequences other than SGR in the pane: \(foreignSequences(styled))")
        let title = try tui.flag("pane_title")
        #expect(!title.contains("pwned"), "the window title was set by the server: \(title)")
        let buffers = try tui.tmux(["list-buffers"])
        #expect(!buffers.contains("pwned") && !buffers.contains("cHduZWQ"), "the clipboard was set by the server: \(buffers)")
        #expect(try tui.flag("alternate_on") == "1", "still on the console's screen")
        try tui.type("q")
        try tui.waitFor("[exit 0]")
    }

    /// Defence in depth: even escapes written straight into the registry file (bypassing the
    /// client's sanitising) are drawn as U+FFFD, never sent to the terminal.
    @Test   // needs the sqlite3 shell (Debian: sqlite3), which README and .ci/run install
    func escapesPlantedInTheRegistryAreDrawnInert() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server)
        let made = try RawBinary.run(["allocate", "--a", "+919176226528", "--b", "+918136966620", "--usage", "twoway", "--connection-id", "plant-1"], env: env)
        #expect(made.status == 0, "\(made.err)")
        let db = try #require(try FileManager.default.contentsOfDirectory(atPath: home + "/data").first { $0.hasPrefix("registry-") && $0.hasSuffix(".sqlite") })
        let sql = "UPDATE allocation SET connection_id = 'plant' || char(27) || ']0;pwned-title' || char(7) || char(27) || '[2J', "
            + "flow_id = char(27) || ']52;c;cHduZWQ=' || char(7), green_vn = '+918047110001' || char(27) || '[?1049l' || char(155) || '2J';"
        let planted = try Spawned([home + "/data/" + db, sql], env: ["PATH": "/usr/bin:/bin"], executable: "/usr/bin/sqlite3").waitSync(timeout: 30)
        #expect(planted.status == 0, "\(planted.stderr)")

        let tui = try Pane(width: 120, height: 36, home: home, env: env)
        try tui.waitFor("+918047110001")
        try tui.type("j")
        try tui.waitFor("plant")
        usleep(300_000)
        let styled = try tui.styled()
        #expect(foreignSequences(styled).isEmpty, "sequences other than SGR in the pane: \(foreignSequences(styled))")
        #expect(try tui.screen().contains("+918047110001"))
        let title = try tui.flag("pane_title")
        #expect(!title.contains("pwned"))
        #expect(!(try tui.tmux(["list-buffers"])).contains("cHduZWQ"))
        try tui.type("q")
        try tui.waitFor("[exit 0]")
    }
}

/// Escape sequences in `capture-pane -e` output other than SGR (`ESC [ … m`), which is how
/// tmux reports the colours and attributes it drew.
func foreignSequences(_ s: String) -> [String] {
    var found: [String] = []
    let scalars = Array(s.unicodeScalars)
    var i = 0
    while i < scalars.count {
        let v = scalars[i].value
        if v == 0x1B {
            var j = i + 1
            if j < scalars.count, scalars[j] == "[" {
                j += 1
                while j < scalars.count, (0x30...0x3F).contains(scalars[j].value) { j += 1 }
                if j < scalars.count, scalars[j] == "m" { i = j + 1; continue }
            }
            found.append(String(String.UnicodeScalarView(scalars[i..<min(scalars.count, i + 12)])).debugDescription)
            i += 1
            continue
        }
        if (v < 0x20 && v != 0x0A) || v == 0x7F || (0x80...0x9F).contains(v) {
            found.append(String(format: "U+%04X", v))
        }
        i += 1
    }
    return found
}
