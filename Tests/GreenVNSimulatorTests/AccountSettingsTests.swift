import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

@Suite("GET/PUT /settings")
struct AccountSettingsTests {
    static func path(_ h: Harness) -> String { "/v1/tenants/\(h.sim.config.accountSID)/settings" }

    @Test func settingsStartUnsetAndAPutChangesOnlyTheKeysItGives() async throws {
        try await withSimulator { h in
            let empty = try await h.call("GET", Self.path(h))
            #expect(empty.status == 200 && empty.json?["success"] == .bool(true) && empty.json?["status"] == .int(200))
            let data = try #require(empty.data)
            #expect(data.keys == Set(AccountSettings.fields.map(\.rawValue)))
            #expect(data == Wire.json(AccountSettings()), "every key, null where unset")

            let put = try await h.call("PUT", Self.path(h), #"{"default_region":"ka","max_deallocation_time":"2d","deallocated_webhook":"https://hooks.example.com/gone"}"#)
            #expect(put.status == 200, "\(put.text)")
            #expect(put.data?["default_region"] == .string("KA") && put.data?["max_deallocation_time"] == .string("2d"))
            let second = try await h.call("PUT", Self.path(h), #"{"default_flow_id":"flow-1","default_region":null}"#)
            #expect(second.data?["default_region"] == .null, "null clears")
            #expect(second.data?["default_flow_id"] == .string("flow-1"))
            #expect(second.data?["deallocated_webhook"] == .string("https://hooks.example.com/gone"), "absent keys are kept")
            #expect(try await h.call("GET", Self.path(h)).data == second.data)
            #expect(try h.sim.accountSettings().defaultFlowId == "flow-1")
        }
    }

    @Test(arguments: [
        (#"{"call_complete_webhook":"ftp://x.example.com/h"}"#, ["call_complete_webhook"]),
        (#"{"caller_verified_webhook":"/relative/path","verification_failed_webhook":"https://"}"#, ["caller_verified_webhook", "verification_failed_webhook"]),
        (#"{"default_region":"XX","max_deallocation_time":"1y","default_flow_id":"has space"}"#, ["default_region", "max_deallocation_time", "default_flow_id"]),
        (#"{"max_deallocation_time":"1s"}"#, ["max_deallocation_time"]),
        (#"{"default_region":7}"#, ["default_region"]),
        (#"{"deallocated_webhook":{"url":"https://x.example.com"}}"#, ["deallocated_webhook"]),
        (#"{"default_flow_id":true}"#, ["default_flow_id"]),
        (#"{"deallocated_webhook":"https://x.example.com/\u001b[31m"}"#, ["deallocated_webhook"]),
        (#"{"default_regoin":"KA"}"#, ["default_regoin"]),
    ])
    func badSettingsAreRefusedWithCode5NamingEveryField(body: String, named: [String]) async throws {
        try await withSimulator { h in
            _ = try await h.call("PUT", Self.path(h), #"{"default_region":"DL"}"#)
            let r = try await h.call("PUT", Self.path(h), body)
            #expect(r.status == 400 && r.code == 5, "\(r.text)")
            #expect(r.json?.arrayValue?.count == 1, "error envelopes are array-wrapped")
            let message = r.envelope?["message"]?.stringValue ?? ""
            for field in named { #expect(message.contains(field), "\(field) named in: \(message)") }
            #expect(!Text.hasControl(message))
            #expect(try h.sim.accountSettings() == AccountSettings(defaultRegion: .DL), "nothing changed")
        }
    }

    @Test func hostileBodiesAreRefusedAndChangeNothing() async throws {
        try await withSimulator { h in
            let bodies: [Data] = [
                Data(), Data("   ".utf8), Data("[1,2]".utf8), Data("\"KA\"".utf8), Data("null".utf8),
                Data(String(repeating: "[", count: 50_000).utf8),
                Data(String(repeating: "{\"a\":", count: 10_000).utf8),
                Data([0xFF, 0xFE, 0x00, 0x1B, 0x5B]),
                Data(("{\"default_flow_id\":\"" + String(repeating: "x", count: 100_000) + "\"}").utf8),
                Data(("{\"call_complete_webhook\":\"https://h.example.com/" + String(repeating: "p", count: 5_000) + "\"}").utf8),
            ]
            for body in bodies {
                let r = try await h.call("PUT", Self.path(h), rawBody: body)
                #expect(r.status == 400 && r.code == 5, "\(body.prefix(40)): \(r.text.prefix(200))")
            }
            let huge = try await h.call("PUT", Self.path(h), rawBody: Data(repeating: UInt8(ascii: " "), count: (1 << 20) + 1))
            #expect(huge.status == 413)
            #expect(try h.sim.accountSettings() == AccountSettings())
            #expect(try await h.call("GET", Self.path(h)).status == 200)
        }
    }

    @Test func authTenantAndMethodsAreCheckedLikeTheOtherCalls() async throws {
        try await withSimulator { h throws in
            #expect(try await h.call("GET", Self.path(h), auth: .none).code == 7)
            #expect(try await h.call("PUT", "/v1/tenants/OTHER/settings", "{}").code == 8)
            #expect(try await h.call("DELETE", Self.path(h)).status == 405)
            #expect(try await h.call("GET", Self.path(h) + "/more").status == 404)
        }
    }

    @Test func theSettingsShapeCreates() async throws {
        try await withSimulator({ $0.flows = ["F1"] }) { h in
            let unknownFlow = try await h.call("PUT", Self.path(h), #"{"default_flow_id":"F9"}"#)
            #expect(unknownFlow.status == 422 && unknownFlow.code == 50)
            _ = try await h.call("PUT", Self.path(h), #"{"max_deallocation_time":"1h","default_region":"GJ"}"#)
            let tooLong = try await h.create("M1", extra: #""deallocation_policy":{"duration":"2h"}"#)
            #expect(tooLong.status == 400 && tooLong.code == 23, "\(tooLong.text)")
            #expect(tooLong.envelope?["message"]?.stringValue?.contains("max_deallocation_time") == true)
            let a = try await h.allocate("M2")
            let expiry = try #require(try h.sim.expiries()[a.greenvnId])
            #expect(abs(expiry - Int(Date().timeIntervalSince1970) - 3_600) <= 5, "no policy: the account's max lives")
            #expect(Pool(perRegionAndType: 20).number(a.greenVN)?.region == .GJ, "the default region is preferred")
            let asked = try await h.allocate("M3", a: ["+919000000001"], b: ["+919000000002"], extra: #""preferences":{"region":"KL"}"#)
            #expect(Pool(perRegionAndType: 20).number(asked.greenVN)?.region == .KL, "an asked region wins")
        }
    }

    @Test func settingsLiveInTheStateFile() async throws {
        let path = temporaryStatePath()
        try await withSimulator({ $0.statePath = path }) { h throws in
            #expect(try await h.call("PUT", Self.path(h), #"{"default_region":"MP"}"#).status == 200)
        }
        try await withSimulator({ $0.statePath = path; $0.webhooks = WebhookEndpoints(all: "http://127.0.0.1:9/all") }) { h in
            let s = try h.sim.accountSettings()
            #expect(s.defaultRegion == .MP, "kept across a restart")
            #expect(s.webhooks == WebhookEndpoints(all: "http://127.0.0.1:9/all"), "the start's endpoints replace the stored ones")
        }
    }
}
