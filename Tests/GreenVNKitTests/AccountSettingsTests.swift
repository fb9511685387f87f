import Foundation
@testable import GreenVNKit
import Testing

@Suite struct AccountSettingsTests {
    static let full = AccountSettings(
        webhooks: WebhookEndpoints(callComplete: "https://hooks.example.com/calls", callerVerified: "http://127.0.0.1:8081/v",
                                   verificationFailed: "https://user:pw@hooks.example.com/failed", deallocated: "https://hooks.example.com/gone?x=1"),
        defaultFlowId: "flow-7", maxDeallocationTime: try! DeallocationDuration.parse("3d").get(), defaultRegion: .KA)

    @Test func aDraftOfSettingsValidatesBackToThem() throws {
        #expect(AccountSettingsDraft(Self.full).validate() == .success(Self.full))
        #expect(AccountSettingsDraft().validate() == .success(AccountSettings()), "all empty: nothing set")
        var d = AccountSettingsDraft()
        d.defaultRegion = " mp "
        d.maxDeallocationTime = "600S"
        let s = try d.validate().get()
        #expect(s.defaultRegion == .MP && s.maxDeallocationTime?.seconds == 600 && s.maxDeallocationTime?.text == "600s")
    }

    @Test(arguments: [
        (Field.callCompleteWebhook, "ftp://h.example.com/x", "not http(s)"),
        (.callerVerifiedWebhook, "hooks.example.com/x", "absolute http(s) URL"),
        (.verificationFailedWebhook, "https://", "no host"),
        (.deallocatedWebhook, "https://h.example.com/a b", "space"),
        (.deallocatedWebhook, "https://h.example.com/\u{1B}[2J", "control character"),
        (.callCompleteWebhook, "https://h.example.com/" + String(repeating: "p", count: 2_100), "at most 2048"),
        (.defaultFlowId, "flow 7", "spaces"),
        (.defaultFlowId, String(repeating: "f", count: 65), "at most 64"),
        (.maxDeallocationTime, "1y", "not a duration"),
        (.maxDeallocationTime, "200d", "out of range"),
        (.defaultRegion, "XX", "not a region"),
    ])
    func everyBadFieldIsNamedWithItsRule(field: Field, value: String, rule: String) throws {
        var d = AccountSettingsDraft()
        d[field] = value
        let errors = d.fieldErrors()
        try #require(errors.count == 1, "\(errors)")
        #expect(errors[0].field == field)
        #expect(errors[0].message.contains(rule), "\(errors[0].message)")
        #expect(!Text.hasControl(errors[0].message))
    }

    @Test func allBadFieldsAreReportedAtOnce() {
        var d = AccountSettingsDraft()
        for f in AccountSettings.fields { d[f] = "not valid at all" }
        #expect(Set(d.fieldErrors().map(\.field)) == Set(AccountSettings.fields))
    }

    @Test func theWireHasEveryKeyAndNullForWhatIsUnset() throws {
        let o = Wire.json(AccountSettings(defaultRegion: .DL))
        #expect(o.keys == Set(AccountSettings.fields.map(\.rawValue)))
        #expect(o["default_region"] == .string("DL") && o["default_flow_id"] == .null)
        #expect(Wire.settings(from: Wire.json(Self.full)) == .success(Self.full))
        #expect(try JSONValue.parse(Wire.body(Self.full)) == Wire.json(Self.full))
    }

    @Test func anUpdateReplacesWhatItGivesAndKeepsTheRest() {
        let put = Data(#"{"default_region":null,"verification_failed_webhook":"","default_flow_id":45,"call_complete_webhook":"https://n.example.com/c"}"#.utf8)
        guard case .success(let s) = Wire.settings(fromUpdate: put, over: Self.full) else { Issue.record("refused"); return }
        #expect(s.defaultRegion == nil && s.webhooks.verificationFailed == nil, "null and \"\" clear")
        #expect(s.defaultFlowId == "45", "a number is read as its digits")
        #expect(s.maxDeallocationTime == Self.full.maxDeallocationTime)
        #expect(s.webhooks.callComplete == "https://n.example.com/c")
        #expect(s.webhooks.deallocated == Self.full.webhooks.deallocated, "absent: kept")
        #expect(Wire.settings(fromUpdate: Data("{}".utf8), over: Self.full) == .success(Self.full))
    }

    @Test func aBadUpdateIsRefusedWholeNamingEachProblem() {
        #expect(Wire.settings(fromUpdate: Data(), over: Self.full) == .failure(.notAnObject(snippet: "")))
        if case .failure(.notAnObject) = Wire.settings(fromUpdate: Data("[]".utf8), over: Self.full) {} else { Issue.record("an array is not an object") }
        #expect(Wire.settings(fromUpdate: Data(#"{"default_regoin":"KA","x":1}"#.utf8), over: Self.full) == .failure(.unknownKeys(["default_regoin", "x"])))
        guard case .failure(.invalid(let f)) = Wire.settings(fromUpdate: Data(#"{"default_region":["KA"],"default_flow_id":false,"max_deallocation_time":"9"}"#.utf8), over: Self.full) else {
            Issue.record("wrong types accepted"); return
        }
        #expect(Set(f.errors.map(\.field)) == [.defaultRegion, .defaultFlowId, .maxDeallocationTime])
        #expect(f.errors.first { $0.field == .defaultRegion }?.message.contains("not an array") == true)
        let described = SettingsUpdateError.unknownKeys(["k\u{1B}"]).description
        #expect(!Text.hasControl(described) && described.contains("the settings are"))
    }

    @Test func aSettingsAnswerIsReadThroughTheEnvelope() {
        let ok = Wire.envelope(status: 200, data: Wire.json(Self.full))
        #expect(Wire.decodeSettingsAnswer(httpStatus: 200, body: ok) == .success(Self.full))
        let wrapped = JSONValue.array([try! JSONValue.parse(ok)]).serialized()
        #expect(Wire.decodeSettingsAnswer(httpStatus: 200, body: wrapped) == .success(Self.full))
        let refused = Wire.errorEnvelope(status: 400, code: 5, message: "default_region: bad")
        guard case .failure(.refused(let r)) = Wire.decodeSettingsAnswer(httpStatus: 400, body: refused) else { Issue.record("not refused"); return }
        #expect(r.code == 5 && r.message == "default_region: bad")
        let nonsense = Wire.envelope(status: 200, data: .object(["default_region": .string("ZZ"), "future_key": .int(1)]))
        guard case .failure(.badResponse(_, let snippet)) = Wire.decodeSettingsAnswer(httpStatus: 200, body: nonsense) else {
            Issue.record("a region outside the 11 accepted"); return
        }
        #expect(snippet.contains("default_region"))
        let extra = Wire.envelope(status: 200, data: .object(["default_region": .string("KA"), "future_key": .int(1)]))
        #expect(Wire.decodeSettingsAnswer(httpStatus: 200, body: extra) == .success(AccountSettings(defaultRegion: .KA)), "unknown keys ignored")
    }

    @Test func noBreakSpacesBetweenTokensAreWhitespaceButKeptInStrings() throws {
        let doc = Data("{\u{00A0}\u{00A0}\"a\":\u{00A0}\"x\u{00A0}y\"\u{00A0}}".utf8)
        #expect(try JSONValue.parse(doc) == .object(["a": .string("x\u{00A0}y")]))
        #expect(throws: (any Error).self) { try JSONValue.parse(Data("{\"a\":\u{00A0}tru\u{00A0}e}".utf8)) }
    }
}

extension JSONValue {
    /// An object's keys (none for anything else).
    var keys: Set<String> {
        if case .object(let o) = self { return Set(o.keys) }
        return []
    }
}
