import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

/// `settings()` and `updateSettings(_:)` through the real client against the simulator.
@Suite(.serialized) struct SettingsRoundTrip {
    static let wanted = AccountSettings(
        webhooks: WebhookEndpoints(callComplete: "https://hooks.example.com/calls", deallocated: "http://127.0.0.1:9/gone"),
        defaultFlowId: "flow-7", maxDeallocationTime: DeallocationDuration(seconds: 7_200), defaultRegion: .TN)

    @Test func settingsRoundTripOverLoopback() async throws {
        try await withBench { b throws in
            #expect(try await b.client.settings() == AccountSettings())
            #expect(try await b.client.updateSettings(Self.wanted) == Self.wanted)
            #expect(try await b.client.settings() == Self.wanted)
            #expect(try b.sim.accountSettings() == Self.wanted)
            // A full replacement: what is nil now is cleared on the server.
            let fewer = AccountSettings(defaultRegion: .KL)
            #expect(try await b.client.updateSettings(fewer) == fewer)
            #expect(try await b.client.settings() == fewer)
        }
    }

    @Test func invalidSettingsAreRefusedWithEveryFieldNamed() async throws {
        try await withBench { b throws in
            let bad = AccountSettings(webhooks: WebhookEndpoints(callComplete: "ftp://x.example.com", callerVerified: "not a url"),
                                      defaultFlowId: "flow 7")
            guard case .refused(let r)? = await failure({ try await b.client.updateSettings(bad) }) else {
                Issue.record("bad settings accepted"); return
            }
            #expect(r.code == 5 && r.httpStatus == 400)
            for field in ["call_complete_webhook", "caller_verified_webhook", "default_flow_id"] {
                #expect(r.message.contains(field), "\(r.message)")
            }
            #expect(GreenVNError.refused(r).exitCode == 1)
            #expect(try await b.client.settings() == AccountSettings(), "nothing changed")
        }
    }

    @Test func readsAndWritesAreRetriedLikeTheOtherCalls() async throws {
        try await withBench { b throws in
            b.sim.inject(.status(503), on: .settings, count: 2)
            #expect(try await b.client.settings() == AccountSettings())
            #expect(b.sim.requestCount(.settings) == 3)
            // The answer to a PUT that landed is lost: sending it again is harmless.
            b.sim.inject(.dropAfterActing, on: .updateSettings)
            #expect(try await b.client.updateSettings(Self.wanted) == Self.wanted)
            #expect(b.sim.requestCount(.updateSettings) == 2)
            b.sim.inject(.status(500), on: .updateSettings, count: 10)
            guard case .unavailable? = await failure({ try await b.client.updateSettings(AccountSettings()) }) else {
                Issue.record("an outage was not reported as one"); return
            }
            #expect(try b.sim.accountSettings() == Self.wanted)
        }
    }
}
