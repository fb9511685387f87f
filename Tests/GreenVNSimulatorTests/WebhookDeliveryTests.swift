import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

/// The simulator posts the four webhooks to a real loopback receiver.
@Suite("webhooks sent to a receiver")
struct WebhookDeliveryTests {
    static let a = "+919876543210", b = "+918765432109", stranger = "+917000000042"

    /// A simulator whose every endpoint is `receiver`, with quick retries.
    static func withHooks(_ receiver: Receiver, _ configure: @escaping (inout SimulatorConfig) -> Void = { _ in },
                          _ body: (Harness) async throws -> Void) async throws {
        try await withSimulator({ c in
            c.webhooks = WebhookEndpoints(all: receiver.url)
            c.webhookRetry = RetryPolicy(maxAttempts: 3, baseDelay: 0.02, maxDelay: 0.05)
            configure(&c)
        }, body)
    }

    static func call(_ h: Harness, _ id: String, from: String, pin: String? = nil, extra: String = "") async throws -> RawResponse {
        let pinPart = pin.map { ",\"pin\":\"\($0)\"" } ?? ""
        return try await h.call("POST", "/_sim/calls", "{\"greenvn_id\":\"\(id)\",\"from\":\"\(from)\"\(pinPart)\(extra)}")
    }

    @Test func aCallSendsTheCallEventWithTheDocumentedKeys() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        try await Self.withHooks(receiver) { h in
            let a = try await h.allocate("W1", a: [Self.a], b: [Self.b])
            let r = try await Self.call(h, a.greenvnId, from: Self.a, extra: #","status":"completed","duration":42"#)
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json?["result"] == .string("connected") && r.json?["queued"] == .array([.string("call_complete")]))
            let got = await receiver.waitFor(1)
            try #require(got.count == 1)
            #expect(got[0].method == "POST" && got[0].path == "/hooks")
            #expect(got[0].headers["content-type"] == "application/json")
            let json = try #require(got[0].json)
            #expect(json.keys == Set(WebhookKind.callComplete.documentedKeys))
            for key in ["connection_id", "call_sid", "greenvn", "greenvn_id", "from", "to", "call_type", "start_time",
                        "current_time", "dial_call_status", "direction", "source"] {
                #expect(Shape(json[key]!) == .string, "\(key) is a string")
            }
            #expect(Shape(json["dial_call_duration"]!) == .number && Shape(json["on_call_duration"]!) == .number)
            #expect(json["recording_url"] == .null, "the simulator records nothing")
            guard case .callComplete(let e) = try Webhooks.decode(got[0].body) else { Issue.record("not a call event"); return }
            #expect(e.greenvnId == a.greenvnId && e.greenVN == a.greenVN && e.connectionId == "W1")
            #expect(e.from == Self.a && e.to == Self.b && e.direction == "a_to_b" && e.source == "registered")
            #expect(e.callType == "twoway" && e.dialCallStatus == "completed")
            #expect(e.onCallDuration == 42 && e.dialCallDuration == 42 + SimulatedCall.ringSeconds)
        }
    }

    @Test func aNewCallerWithAPinIsVerifiedOnceThenCallsLikeAParty() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        try await Self.withHooks(receiver) { h in
            let a = try await h.allocate("W2", a: [Self.a], b: [Self.b], extra: #""bparty_pins":[4321]"#)
            let first = try await Self.call(h, a.greenvnId, from: Self.stranger, pin: "4321")
            #expect(first.json?["queued"] == .array([.string("caller_verified"), .string("call_complete")]), "\(first.text)")
            let got = await receiver.waitFor(2)
            try #require(got.count == 2)
            let events = try got.map { try Webhooks.decode($0.body) }
            let verified = try #require(events.compactMap { if case .callerVerified(let e) = $0 { return e } else { return nil } }.first)
            #expect(verified == CallerVerifiedEvent(caller: Self.stranger, pin: 4321, greenVN: a.greenVN, greenvnId: a.greenvnId, connectionId: "W2"))
            let body = try #require(got.first { $0.json?["call_sid"] == nil }?.json)
            #expect(body.keys == Set(WebhookKind.callerVerified.documentedKeys))
            #expect(Shape(body["pin"]!) == .number)
            let call = try #require(events.compactMap { if case .callComplete(let e) = $0 { return e } else { return nil } }.first)
            #expect(call.from == Self.stranger && call.to == Self.a && call.direction == "b_to_a" && call.source == "pin")
            // Known now: the next call needs no pin and verifies nothing.
            let again = try await Self.call(h, a.greenvnId, from: Self.stranger)
            #expect(again.json?["queued"] == .array([.string("call_complete")]), "\(again.text)")
        }
    }

    @Test func aWrongPinSendsVerificationFailedAndConnectsNothing() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        try await Self.withHooks(receiver) { h in
            let a = try await h.allocate("W3", a: [Self.a], b: [Self.b], extra: #""aparty_pins":[1111]"#)
            let r = try await Self.call(h, a.greenvnId, from: Self.stranger, pin: "9999")
            #expect(r.json?["result"] == .string("verification_failed") && r.json?["queued"] == .array([.string("verification_failed")]))
            let got = await receiver.waitFor(1)
            try #require(got.count == 1)
            let json = try #require(got[0].json)
            #expect(json.keys == Set(WebhookKind.verificationFailed.documentedKeys))
            guard case .verificationFailed(let e) = try Webhooks.decode(got[0].body) else { Issue.record("not a verification failure"); return }
            #expect(e.caller == Self.stranger && e.pin == "9999" && e.greenVN == a.greenVN)
            // Still a stranger: without a pin the call is refused.
            let noPin = try await Self.call(h, a.greenvnId, from: Self.stranger)
            #expect(noPin.status == 400 && noPin.code == 5 && noPin.text.contains("pin"))
        }
    }

    @Test func oneWayLetsOnlyTheASideCall() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        try await Self.withHooks(receiver) { h in
            let oneway = try await h.call("POST", h.root, Harness.createBody("W5", a: ["+919000000001"], b: ["+919000000002"], usage: "oneway", extra: #""bparty_pins":[77]"#))
            let id = try #require(oneway.data?["greenvn_id"]?.stringValue)
            let fromB = try await Self.call(h, id, from: "+919000000002")
            #expect(fromB.status == 403 && fromB.code == 8, "\(fromB.text)")
            let pinB = try await Self.call(h, id, from: Self.stranger, pin: "77")
            #expect(pinB.status == 403 && pinB.code == 8, "a pin of the B side does not open a one-way allocation either")
            let fromA = try await Self.call(h, id, from: "+919000000001", extra: #","to":"+919000000002""#)
            #expect(fromA.status == 200)
            let otherSide = try await Self.call(h, id, from: "+919000000001", extra: #","to":"+919000000001""#)
            #expect(otherSide.status == 400, "to must be a number of the other side")
            _ = await receiver.waitFor(1)
            #expect(h.sim.webhookDeliveries().map(\.kind) == [.callComplete], "refused calls send nothing")
        }
    }

    @Test func expirySendsTheDeallocationWebhookAndADeleteDoesNot() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        try await Self.withHooks(receiver) { h in
            let expiring = try await h.allocate("E1", a: [Self.a], b: [Self.b], extra: #""deallocation_policy":{"duration":"5m"}"#)
            let deleted = try await h.allocate("E2", a: ["+919000000001"], b: ["+919000000002"], extra: #""deallocation_policy":{"duration":"5m"}"#)
            #expect(try await h.call("DELETE", "\(h.root)/\(deleted.greenvnId)").status == 200)
            #expect(h.sim.webhookDeliveries().isEmpty, "a DELETE queues no webhook")
            try h.sim.advanceClock(seconds: 301)
            // Queued when the sweep committed, before advanceClock returned.
            #expect(h.sim.webhookDeliveries().map(\.kind) == [.deallocated])
            #expect(h.sim.webhookDeliveries().map(\.greenvnId) == [expiring.greenvnId])
            let got = await receiver.waitFor(1)
            try #require(got.count == 1)
            let json = try #require(got[0].json)
            #expect(json["state"] == .string("vault") && json["greenvn_id"] == .string(expiring.greenvnId))
            #expect(json.keys == Set(WebhookKind.deallocated.documentedKeys))
            guard case .deallocated(let a) = try Webhooks.decode(got[0].body) else { Issue.record("not a deallocation"); return }
            var vaulted = expiring
            vaulted.state = .vault
            #expect(a == vaulted)
        }
    }

    @Test func theSweeperSendsTheDeallocationWebhookWithoutAnyRequest() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        // A 1-second default lifetime (below what a create may ask for) so the sweeper's due.
        try await Self.withHooks(receiver, { $0.defaultDurationSeconds = 1 }) { h in
            let a = try await h.allocate("S1", a: [Self.a], b: [Self.b])
            let got = await receiver.waitFor(1)
            try #require(got.count == 1, "the sweeper expired it and posted the webhook")
            #expect(got[0].json?["greenvn_id"] == .string(a.greenvnId) && got[0].json?["state"] == .string("vault"))
        }
    }

    @Test func failedDeliveriesAreRetriedThenGivenUpWithoutTouchingTheAPI() async throws {
        let flaky = try Receiver.start(statuses: [500, 503])
        defer { flaky.stop() }
        try await Self.withHooks(flaky) { h in
            let a = try await h.allocate("R1", a: [Self.a], b: [Self.b])
            #expect(try await Self.call(h, a.greenvnId, from: Self.a).status == 200)
            let got = await flaky.waitFor(3)
            #expect(got.count == 3 && Set(got.map(\.body)).count == 1, "the same payload, three times")
            let delivered = await eventually { h.sim.webhookDeliveries().first?.status == .delivered }
            #expect(delivered)
            #expect(h.sim.webhookDeliveries().first?.attempts == 3)
        }
        // Nothing listens there: every attempt fails, the API answers all the same.
        let closed = try Receiver.start()
        let deadURL = closed.url
        closed.stop()
        try await withSimulator({ $0.webhooks = WebhookEndpoints(all: deadURL); $0.webhookRetry = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02) }) { h in
            let a = try await h.allocate("R2", a: [Self.a], b: [Self.b])
            #expect(try await Self.call(h, a.greenvnId, from: Self.a).status == 200)
            let failed = await eventually { h.sim.webhookDeliveries().first?.status == .failed }
            #expect(failed)
            #expect(h.sim.webhookDeliveries().first?.attempts == 2)
            #expect(h.sim.webhookDeliveries().first?.lastError != nil)
            let listed = try await h.call("GET", "/_sim/webhooks")
            #expect(listed.json?.arrayValue?.first?["status"] == .string("failed"))
            #expect(try await h.details(a.greenvnId).status == 200)
        }
    }

    @Test func endpointsComeFromTheSettingsAndCredentialsInThemBecomeBasicAuth() async throws {
        let receiver = try Receiver.start()
        defer { receiver.stop() }
        try await withSimulator { h in
            let a = try await h.allocate("C1", a: [Self.a], b: [Self.b])
            let none = try await Self.call(h, a.greenvnId, from: Self.a)
            #expect(none.json?["queued"] == .array([]) && none.json?["no_endpoint"] == .array([.string("call_complete")]))
            let url = "http://hook:s3cret@127.0.0.1:\(receiver.port)/calls"
            let put = try await h.call("PUT", "/v1/tenants/\(h.sim.config.accountSID)/settings", "{\"call_complete_webhook\":\"\(url)\"}")
            #expect(put.status == 200, "\(put.text)")
            _ = try await Self.call(h, a.greenvnId, from: Self.a)
            let got = await receiver.waitFor(1)
            try #require(got.count == 1)
            #expect(got[0].path == "/calls")
            #expect(got[0].headers["authorization"] == Harness.basic("hook", "s3cret"))
            #expect(h.sim.webhookDeliveries().allSatisfy { !$0.url.contains("s3cret") }, "credentials are never shown")
        }
    }
}

/// Polls until `condition` holds or `seconds` pass; the caller asserts on the result.
func eventually(_ seconds: Double = 20, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    return condition()
}
