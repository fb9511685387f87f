import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

/// The contract's verbs, driven through the real binary.
@Suite(.serialized) struct CLI {
    static let documentedAnswer = #"{"success":true,"status":200,"data":{"connection_id":"X1","aparty_numbers":["+919176226528","+911234567891"],"bparty_numbers":["+918136966620"],"usage":"twoway","state":"active","greenvn":"+918012345678","greenvn_id":"0b7f2c9e-5d1a-4c3b-9e8f-1a2b3c4d5e6f"}}"#

    @Test func allocateSendsExactlyTheDocumentedRequestAndPrintsTheAllocation() throws {
        let server = try TestServer(status: 200, body: Self.documentedAnswer)
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = Binary.environment(home: home, extra: [
            "GREENVN_BASE_URL": server.baseURL,
            "EXOTEL_ACCOUNT_SID": "acme", "EXOTEL_API_KEY": "key123", "EXOTEL_API_TOKEN": "tok-SECRET-456",
        ])
        let r = try Binary.run(["allocate", "--a", "+919176226528", "--a", "+911234567891", "--b", "+918136966620",
                                "--usage", "twoway", "--connection-id", "X1", "--duration", "600s", "--json"], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(server.requestCount == 1)
        let captured = try #require(server.requests.first)
        #expect(captured.head.hasPrefix("POST /v1/tenants/acme/greenvn HTTP/1.1"))
        let auth = "Basic " + Data("key123:tok-SECRET-456".utf8).base64EncodedString()
        #expect(captured.head.lowercased().contains("authorization: \(auth)".lowercased()))
        #expect(captured.head.lowercased().contains("content-type: application/json"))
        let documented = #"{"aparty_numbers":["+919176226528","+911234567891"],"bparty_numbers":["+918136966620"],"usage":"twoway","connection_id":"X1","deallocation_policy":{"duration":"600s"}}"#
        #expect(try JSONValue.parse(captured.body) == JSONValue.parse(Data(documented.utf8)))
        // stdout: the allocation object, with green_vn, and nothing else.
        let printed = try JSONValue.parse(Data(r.stdout.utf8))
        #expect(printed["green_vn"] == .string("+918012345678"))
        #expect(printed["greenvn_id"] == .string("0b7f2c9e-5d1a-4c3b-9e8f-1a2b3c4d5e6f"))
        #expect(printed["greenvn"] == nil)
        #expect(!r.stdout.contains("SECRET") && !r.stderr.contains("SECRET"))
    }

    @Test func badInputIsRefusedBeforeAnythingIsSentWithEveryFieldNamed() throws {
        let home = Binary.tempHome()
        let r = try Binary.run(["allocate", "--a", "12ab", "--b", "+919176226528", "--usage", "both", "--duration", "1y", "--region", "ZZ"],
                               env: Binary.environment(home: home))
        #expect(r.status == 2)
        for field in ["aparty_numbers", "usage", "duration", "region"] {
            #expect(r.stderr.contains(field), "\(field) not named in: \(r.stderr)")
        }
        #expect(r.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: home + "/data/simulator/state.sqlite"), "nothing was started or sent")
    }

    @Test func embeddedSimulatorRunsEveryVerbAndKeepsStateAcrossRuns() throws {
        let home = Binary.tempHome()
        let env = Binary.environment(home: home)
        let created = try Binary.run(["allocate", "--a", "9876543210", "--b", "+918765432109", "--usage", "oneway", "--region", "KA", "--json"], env: env)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stderr.contains("simulator"), "the operator is told it is the simulator")
        let a = try JSONValue.parse(Data(created.stdout.utf8))
        let id = try #require(a["greenvn_id"]?.stringValue)
        let vn = try #require(a["green_vn"]?.stringValue)
        #expect(a["aparty_numbers"] == .array([.string("+919876543210")]), "the bare mobile was normalised")

        let shown = try Binary.run(["show", id, "--json"], env: env)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(try JSONValue.parse(Data(shown.stdout.utf8))["green_vn"] == .string(vn))

        let swapped = try Binary.run(["swap", id, "--json"], env: env)
        #expect(swapped.status == 0, "\(swapped.stderr)")
        let newVN = try JSONValue.parse(Data(swapped.stdout.utf8))["green_vn"]?.stringValue
        #expect(newVN != nil && newVN != vn)

        let human = try Binary.run(["show", id], env: env)
        #expect(human.stdout.contains(newVN!) && human.stdout.contains("oneway"))

        let gone = try Binary.run(["deallocate", id, "--yes", "--json"], env: env)
        #expect(gone.status == 0, "\(gone.stderr)")
        #expect(try JSONValue.parse(Data(gone.stdout.utf8))["state"] == .string("vault"))
        // In the vault: when and by whom it was released, no countdown to an expiry.
        let released = try Binary.run(["show", id], env: env)
        #expect(released.stdout.contains("released") && !released.stdout.contains("expires"), "\(released.stdout)")

        let again = try Binary.run(["deallocate", id, "--yes"], env: env)
        #expect(again.status == 1)
        #expect(again.stderr.contains("22"))
    }

    @Test func refusalExitsOneWithCodeAndNextStep() throws {
        let home = Binary.tempHome()
        let env = Binary.environment(home: home)
        let r = try Binary.run(["show", "no-such-allocation"], env: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("code 1") && r.stderr.contains("Next:"))
    }

    @Test func networkFailureExitsThree() throws {
        let home = Binary.tempHome()
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        let env = Binary.environment(home: home, extra: [
            "GREENVN_BASE_URL": "http://127.0.0.1:9/v1", "EXOTEL_ACCOUNT_SID": "a", "EXOTEL_API_KEY": "k", "EXOTEL_API_TOKEN": "t",
        ])
        let r = try Binary.run(["show", "abc"], env: env)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("Network"))
    }

    @Test func plainHTTPToARemoteHostIsRefused() throws {
        let env = Binary.environment(home: Binary.tempHome(), extra: [
            "GREENVN_BASE_URL": "http://leadassist.exotel.in/v1", "EXOTEL_ACCOUNT_SID": "a", "EXOTEL_API_KEY": "k", "EXOTEL_API_TOKEN": "t",
        ])
        let r = try Binary.run(["show", "abc"], env: env)
        #expect(r.status == 2)
        #expect(r.stderr.contains("https"))
    }

    @Test func unknownFlagIsBadInput() throws {
        let r = try Binary.run(["allocate", "--frobnicate"], env: Binary.environment(home: Binary.tempHome()))
        #expect(r.status == 2)
    }

    @Test func standaloneSimulatorServesTheCLI() throws {
        let home = Binary.tempHome()
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: try Binary.executable())
        sim.arguments = ["sim", "--port", "0", "--api-token", "tok-e2e"]
        sim.environment = Binary.environment(home: home)
        let out = Pipe()
        sim.standardOutput = out
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        defer { sim.terminate(); sim.waitUntilExit() }
        // The banner: the URL it listens on, then the settings to use, token included.
        var banner = ""
        let deadline = Date().addingTimeInterval(30)
        while banner.filter({ $0 == "\n" }).count < 2 && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        #expect(!banner.contains("<the --api-token>"), "\(banner)")
        // Exactly what it printed, pasted into an environment.
        var printed: [String: String] = [:]
        for word in banner.split(whereSeparator: \.isWhitespace) where word.contains("=") {
            let kv = word.split(separator: "=", maxSplits: 1).map(String.init)
            printed[kv[0]] = kv[1]
        }
        #expect(printed["EXOTEL_API_TOKEN"] == "tok-e2e", "\(banner)")
        #expect(Set(printed.keys) == ["GREENVN_BASE_URL", "EXOTEL_ACCOUNT_SID", "EXOTEL_API_KEY", "EXOTEL_API_TOKEN"], "\(banner)")
        let env = Binary.environment(home: home, extra: printed)
        let r = try Binary.run(["allocate", "--a", "+919176226528", "--b", "+918136966620", "--usage", "twoway", "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("embedded simulator"))
        #expect(try JSONValue.parse(Data(r.stdout.utf8))["state"] == .string("active"))
    }
}

/// greenvn.log: one line per command (verb, ids, outcome, duration), and nothing alarming
/// that is not a problem.
@Suite struct RunLog {
    @Test func everyCommandLeavesOneLineWithVerbIdsOutcomeAndDuration() throws {
        let server = try TestServer(TestServer.echo())
        defer { server.stop() }
        let home = Binary.tempHome()
        let env = RawBinary.env(home: home, server: server, token: "tok-SECRET-log")
        let runs: [(args: [String], line: String, has: [String])] = [
            (["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway", "--connection-id", "log-1"],
             "allocate ok in ", ["connection_id=log-1", "greenvn_id=id-log-1", "vn=+918047110001"]),
            (["show", "log-1"], "show ok in ", ["greenvn_id=id-log-1"]),
            (["swap", "log-1", "--json"], "swap ok in ", ["greenvn_id=id-log-1", "old_vn=+918047110001", "vn=+918047120001"]),
            (["list", "--json"], "list ok in ", ["rows=1"]),
            (["deallocate", "+918047120001", "--yes"], "deallocate ok in ", ["greenvn_id=id-log-1"]),
            (["show", "--connection-id", "nobody"], "show exit 2 in ", ["error=invalid connection_id"]),
        ]
        for run in runs { _ = try Binary.run(run.args, env: env) }
        let log = try String(contentsOfFile: home + "/data/greenvn.log", encoding: .utf8)
        let lines = log.split(separator: "\n").filter { $0.contains(" greenvn.cli: ") }
        #expect(lines.count == runs.count, "one line per command:\n\(log)")
        for (run, line) in zip(runs, lines) {
            #expect(line.contains(" info greenvn.cli: " + run.line), "\(run.args[0]): \(line)")
            #expect(line.range(of: #" in \d+ ms"#, options: .regularExpression) != nil, "duration: \(line)")
            for field in run.has { #expect(line.contains(field), "\(field) missing: \(line)") }
        }
        #expect(!log.contains("SECRET"))
    }

    /// Each command on the embedded simulator starts and stops it: the log holds the commands'
    /// lines and nothing of that (it held "Waiting on child channel: CancellationError()" as an
    /// error, and a "listening" line, per command).
    @Test func theEmbeddedSimulatorLeavesNoNoise() throws {
        let home = Binary.tempHome()
        let env = Binary.environment(home: home)
        let created = try Binary.run(["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway", "--json"], env: env)
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(try JSONValue.parse(Data(created.stdout.utf8))["greenvn_id"]?.stringValue)
        #expect(try Binary.run(["show", id], env: env).status == 0)
        #expect(try Binary.run(["swap", id], env: env).status == 0)
        let log = try String(contentsOfFile: home + "/data/greenvn.log", encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains(" info greenvn.cli: ") }, "only the three commands' lines:\n\(log)")
        #expect(!log.contains("Cancellation"), "cancellation noise in the log:\n\(log)")
    }
}
