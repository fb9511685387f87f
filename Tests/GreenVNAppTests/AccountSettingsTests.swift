import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// `:settings`: the account's settings read over the real call, shown, edited with Kit's rules,
/// saved over the real call.
@Suite struct AccountSettingsTests {
    static let held = AccountSettings(webhooks: WebhookEndpoints(callComplete: "https://ops.example/calls"),
                                      defaultFlowId: "flow-1", maxDeallocationTime: try? DeallocationDuration.parse("30d").get(),
                                      defaultRegion: .KA)

    /// `:settings` answered with `held`: the dialog open on it.
    static func opened(readOnly: Bool = false, width: Int = 120, height: Int = 36) async -> Harness {
        let h = Harness(width: width, height: height, readOnly: readOnly)
        h.leadAssist.answer = { job in
            switch job {
            case .loadSettings: return .settings(held)
            case .saveSettings(let s, _): return .settings(s)
            default: return .failure(message: "unexpected", error: nil)
            }
        }
        h.type(":settings")
        h.press(.enter)
        await h.finishJobs()
        return h
    }

    @Test func theCommandReadsThemAndOpensTheDialogOnWhatLeadAssistHolds() async throws {
        let h = await Self.opened()
        #expect(h.operations.first == .loadSettings)
        let f = try #require(h.state.form)
        #expect(f.purpose == .accountSettings(Self.held))
        #expect(f.value(.callCompleteWebhook) == "https://ops.example/calls" && f.value(.defaultFlowId) == "flow-1")
        #expect(f.value(.maxDeallocationTime) == "30d" && f.value(.defaultRegion) == "KA")
        #expect(h.screen().contains("Account settings (Lead Assist)") && h.screen().contains("KA Karnataka"))
    }

    @Test func aBadURLIsNamedBesideItsFieldAndNothingIsSent() async throws {
        let h = await Self.opened()
        h.press(.tab)                     // caller verified
        h.type("ftp://nope")
        h.press(.ctrl("s"))
        #expect(!h.operations.contains { if case .saveSettings = $0 { return true } else { return false } })
        #expect(h.state.form?.focused.field == .callerVerifiedWebhook)
        #expect(h.screen().contains("is not http(s)"))
    }

    @Test func ctrlSSavesEveryFieldAndAnEmptyOneClearsIt() async throws {
        let h = await Self.opened()
        h.press(.ctrl("u"))               // clear call complete
        h.press(.tab)
        h.type("https://ops.example/verified")
        h.press(.ctrl("s"))
        let sent = h.operations.compactMap { if case .saveSettings(let s, let was) = $0 { return (s, was) } else { return nil } }
        let (s, was) = try #require(sent.first)
        #expect(was == Self.held)
        #expect(s.webhooks.callComplete == nil && s.webhooks.callerVerified == "https://ops.example/verified")
        #expect(s.defaultFlowId == "flow-1" && s.defaultRegion == .KA && s.maxDeallocationTime?.text == "30d")
        await h.finishJobs()
        #expect(h.state.form == nil)
        #expect(h.state.toasts.contains { $0.text.contains("Account settings saved") })
    }

    @Test func unchangedSendsNothingAndReadOnlyShowsWithoutSaving() async throws {
        let h = await Self.opened()
        h.press(.ctrl("s"))
        #expect(h.operations == [.loadSettings])
        let ro = await Self.opened(readOnly: true)
        #expect(ro.state.form != nil, "read-only still shows them")
        ro.type("x")
        ro.press(.ctrl("s"))
        #expect(ro.operations == [.loadSettings])
        #expect(ro.state.toasts.contains { $0.text.contains("Read-only") })
    }

    @Test func aFailedReadSaysSoWithTheWayBack() async throws {
        let h = Harness()
        h.leadAssist.answer = { _ in .failure(message: "down", error: .network("connection refused")) }
        h.type(":settings")
        h.press(.enter)
        await h.finishJobs()
        #expect(h.state.form == nil)
        #expect(h.state.toasts.contains { $0.text.contains("Could not reach Lead Assist") && $0.text.contains(":settings") })
    }

    @Test func dialogSnapshots() async throws {
        for (w, hgt) in SnapshotTests.sizes {
            let h = await Self.opened(width: w, height: hgt)
            assertSnapshot("account-settings", h.state, width: w, height: hgt)
        }
    }
}
