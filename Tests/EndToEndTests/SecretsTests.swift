import Foundation
import GreenVNKit
import Testing

/// The API token never leaves the process except in the Authorization header: not on stdout,
/// stderr, --json, the log, the registry files, the console's screen or a crash report. The
/// profile that holds it is refused unless only its owner can read it, and plain http:// is
/// refused for anything but loopback.
@Suite struct Secrets {
    static let token = "tok-SECRET-7f3a9c51e2"
    static let key = "key-e2e-1234"
    static var basic: String { Data("\(key):\(token)".utf8).base64EncodedString() }

    /// Every file under `dir` that holds the token (plain or as Basic auth), with what was found.
    static func leaks(under dir: String) -> [String] {
        var found: [String] = []
        let needles = [Data(token.utf8), Data(basic.utf8), Data("SECRET-7f3a9c".utf8)]
        guard let e = FileManager.default.enumerator(atPath: dir) else { return ["cannot list \(dir)"] }
        while let rel = e.nextObject() as? String {
            let path = dir + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            for n in needles where data.range(of: n) != nil { found.append("\(rel) holds \(String(decoding: n, as: UTF8.self))") }
        }
        return found
    }

    static func clean(_ r: RawBinary.Result) -> Bool {
        let all = r.stdout + r.stderr
        return all.range(of: Data("SECRET".utf8)) == nil && all.range(of: Data(basic.utf8)) == nil
    }

    @Test func tokenNeverInOutputJSONLogOrRegistry() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server, token: Self.token, extra: ["GREENVN_LOG_LEVEL": "trace"])
        let csv = home + "/rows.csv"
        try "connection_id,aparty_numbers,bparty_numbers,usage\nb-1,+919111111111,+918222222222,twoway\nb-2,12ab,+918222222222,twoway\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let runs: [[String]] = [
            ["allocate", "--a", "+919176226528", "--b", "+918136966620", "--usage", "twoway", "--connection-id", "s-1", "--json"],
            ["allocate", "--a", "+919176226528", "--b", "+918136966620", "--usage", "twoway", "--connection-id", "s-2"],
            ["show", "id-s-1", "--json"], ["show", "id-s-1"], ["swap", "id-s-1", "--json"], ["import", "id-other", "--json"],
            ["list"], ["list", "--json"], ["bulk", csv], ["deallocate", "id-s-2", "--yes", "--json"],
            ["allocate", "--a", "12ab", "--b", "+918136966620", "--usage", "twoway"],
        ]
        for args in runs {
            let r = try RawBinary.run(args, env: env)
            #expect(Self.clean(r), "\(args[0]) printed the token: \(r.out) \(r.err)")
            #expect(r.status == 0 || args[0] == "bulk" || args.contains("12ab"), "\(args): exit \(r.status) \(r.err)")
        }
        // The server did see it: the requests really were authenticated with it.
        #expect(server.requests.contains { $0.head.contains(Self.basic) })
        let log = try String(contentsOfFile: home + "/data/greenvn.log", encoding: .utf8)
        #expect(!log.isEmpty, "debug logging wrote something")
        #expect(Self.leaks(under: home + "/data").isEmpty, "\(Self.leaks(under: home + "/data"))")
    }

    @Test func tokenNeverInFailureMessagesOrRetryLogs() throws {
        // 503 then a refusal whose message is ordinary: retries are logged, errors printed.
        let server = try TestServer { head, _ in
            head.hasPrefix("GET") ? .json(503, #"{"success":false,"status":503,"code":0,"message":"busy"}"#)
                                  : .json(401, #"[{"success":false,"status":401,"code":7,"message":"authentication failed"}]"#)
        }
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server, token: Self.token, extra: ["GREENVN_LOG_LEVEL": "trace"])
        let shown = try RawBinary.run(["show", "abc"], env: env)
        #expect(shown.status == 3)
        let refused = try RawBinary.run(["allocate", "--a", "+919176226528", "--b", "+918136966620", "--usage", "twoway", "--json"], env: env)
        #expect(refused.status == 1)
        for r in [shown, refused] { #expect(Self.clean(r), "\(r.err)") }
        // A network failure, an incomplete configuration, a refused http:// and a parse error
        // with the token given as a flag.
        let flagRuns: [[String]] = [
            ["show", "abc", "--base-url", "http://127.0.0.1:9/v1", "--account-sid", "a", "--api-key", Self.key, "--api-token", Self.token],
            ["show", "abc", "--api-key", Self.key, "--api-token", Self.token],
            ["show", "abc", "--base-url", "http://example.com/v1", "--account-sid", "a", "--api-key", Self.key, "--api-token", Self.token],
            ["allocate", "--api-token", Self.token, "--bogus"],
            ["allocate", "--a", "12ab", "--api-token", Self.token],
        ]
        for args in flagRuns {
            let r = try RawBinary.run(args, env: Binary.environment(home: home, extra: ["GREENVN_LOG_LEVEL": "trace"]))
            #expect(r.status != 0)
            #expect(Self.clean(r), "\(args): \(r.err)")
        }
        #expect(Self.leaks(under: home + "/data").isEmpty, "\(Self.leaks(under: home + "/data"))")
    }

    // MARK: the profile file

    static func writeProfile(home: String, mode: mode_t, baseURL: String) throws -> String {
        let dir = home + "/config/greenvn"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/config.toml"
        try "[default]\naccount_sid = \"acme\"\napi_key = \"\(key)\"\napi_token = \"\(token)\"\nbase_url = \"\(baseURL)\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o666, 0o620, 0o602, 0o610, 0o601, 0o777] as [UInt16])
    func profileReadableByOthersIsRefused(_ mode: UInt16) throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        _ = try Self.writeProfile(home: home, mode: mode_t(mode), baseURL: server.baseURL)
        let r = try RawBinary.run(["show", "abc", "--json"], env: Binary.environment(home: home))
        #expect(r.status == 2, "mode \(String(mode, radix: 8)): exit \(r.status) \(r.err)")
        #expect(r.err.contains("chmod 600"), "\(r.err)")
        #expect(r.stdout.isEmpty)
        #expect(Self.clean(r))
        #expect(server.requestCount == 0)
    }

    @Test func profileReachedThroughASymlinkIsCheckedToo() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let real = try Self.writeProfile(home: home, mode: 0o644, baseURL: server.baseURL)
        let moved = home + "/elsewhere.toml"
        try FileManager.default.moveItem(atPath: real, toPath: moved)
        try FileManager.default.createSymbolicLink(atPath: real, withDestinationPath: moved)
        let r = try RawBinary.run(["show", "abc"], env: Binary.environment(home: home))
        #expect(r.status == 2 && r.err.contains("chmod 600"), "\(r.err)")
        #expect(server.requestCount == 0)
    }

    @Test(arguments: [0o600, 0o400] as [UInt16])
    func ownerOnlyProfileIsUsed(_ mode: UInt16) throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        _ = try Self.writeProfile(home: home, mode: mode_t(mode), baseURL: server.baseURL)
        let r = try RawBinary.run(["show", "abc", "--json"], env: Binary.environment(home: home))
        #expect(r.status == 0, "\(r.err)")
        #expect(try JSONValue.parse(r.stdout)["greenvn_id"] == .string("abc"))
        #expect(server.requests.first?.head.contains(Self.basic) == true, "the profile's credentials were used")
        #expect(Self.clean(r))
        #expect(!r.err.contains("simulator"))
    }

    // MARK: plain http://

    @Test(arguments: [
        "http://leadassist.exotel.in/v1", "HTTP://LEADASSIST.EXOTEL.IN/v1", "http://10.0.0.1/v1", "http://192.168.1.20:8080/v1",
        "http://127.0.0.1.nip.io/v1", "http://127.evil.example/v1", "http://localhost.evil.example/v1",
        "http://127.0.0.1@evil.example/v1", "http://[::ffff:10.0.0.1]/v1", "http://0.0.0.0/v1",
    ])
    func plainHTTPToANonLoopbackHostIsRefused(_ url: String) throws {
        let home = Binary.tempHome()
        let started = Date()
        // As the environment, as a flag and from the profile.
        let viaEnv = try RawBinary.run(["show", "abc"], env: Binary.environment(home: home, extra: [
            "GREENVN_BASE_URL": url, "EXOTEL_ACCOUNT_SID": "a", "EXOTEL_API_KEY": Self.key, "EXOTEL_API_TOKEN": Self.token]))
        let viaFlag = try RawBinary.run(["show", "abc", "--base-url", url, "--account-sid", "a", "--api-key", Self.key, "--api-token", Self.token],
                                        env: Binary.environment(home: home))
        _ = try Self.writeProfile(home: home, mode: 0o600, baseURL: url)
        let viaProfile = try RawBinary.run(["show", "abc"], env: Binary.environment(home: home))
        for (how, r) in [("env", viaEnv), ("flag", viaFlag), ("profile", viaProfile)] {
            #expect(r.status == 2, "\(how): exit \(r.status) \(r.err)")
            #expect(r.err.contains("https"), "\(how): \(r.err)")
            #expect(Self.clean(r), "\(how): \(r.err)")
        }
        #expect(Date().timeIntervalSince(started) < 20, "refused at once, without trying the network")
    }

    // MARK: the console

    @Test func tokenNeverOnTheConsoleScreenNorInACrashReport() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server, token: Self.token)
        let made = try RawBinary.run(["allocate", "--a", "+919176226528", "--b", "+918136966620", "--usage", "twoway", "--connection-id", "tui-1"], env: env)
        #expect(made.status == 0, "\(made.err)")

        let tui = try Pane(width: 120, height: 36, home: home, env: env.merging(["GREENVN_LOG_LEVEL": "trace"]) { $1 })
        try tui.waitFor("+918047110001")
        var screens: [String] = [try tui.screen()]
        try tui.type("r")                                     // a refresh: a request with the token
        usleep(500_000)
        screens.append(try tui.screen())
        try tui.type("?"); usleep(300_000); screens.append(try tui.screen())
        try tui.press("Escape")
        try tui.type("n"); try tui.waitFor("Ctrl-S allocate"); screens.append(try tui.screen())
        try tui.press("Escape")
        try tui.type(":"); usleep(200_000); screens.append(try tui.screen())
        try tui.press("Escape")
        for s in screens { #expect(!s.contains("SECRET") && !s.contains(Self.basic), "the token is on screen:\n\(s)") }
        try tui.type("q")
        try tui.waitFor("[exit 0]")
        #expect(server.requests.contains { $0.head.hasPrefix("GET") }, "the console did call the API")

        // A crash with the token in memory: the report on the terminal never holds it.
        let crash = try Pane(width: 120, height: 36, home: home,
                             env: env.merging(["GREENVN_CRASH_AFTER_START": "1", "SWIFT_BACKTRACE": "interactive=no,symbolicate=off"]) { $1 })
        try crash.waitFor("[exit", timeout: 60)
        // Without the pane shell's own "bash: line 1: PID Illegal instruction env -i …" report,
        // which quotes the test's command line (the environment, token included).
        let history = try crash.history().split(separator: "\n").filter { !$0.contains("bash: line") }.joined(separator: "\n")
        #expect(!history.contains("SECRET") && !history.contains(Self.basic), "the token is in the crash report:\n\(history)")
        #expect(!history.contains("[exit 0]") && history.contains("crashed"), "the hook crashed the console and a report was printed:\n\(history)")
        #expect(Self.leaks(under: home + "/data").isEmpty, "\(Self.leaks(under: home + "/data"))")
    }
}
