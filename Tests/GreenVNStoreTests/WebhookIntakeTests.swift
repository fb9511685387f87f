import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// What each of Lead Assist's webhooks teaches the registry (the receiver's HTTP side is in
/// WebhookTests, against the simulator's own deliveries).
@Suite struct WebhookIntakeTests {
    /// The operations rig, and the intake on its operations.
    struct Rig {
        let base: OperationsTests.Rig
        let intake: WebhookIntake
        var db: TestDB { base.db }
        var api: FakeAPI { base.api }
        var ops: Operations { base.ops }
        init(_ backend: Backend) throws {
            base = try OperationsTests.Rig(backend)
            intake = WebhookIntake(operations: base.ops)
        }
    }

    static func call(_ s: Allocation, sid: String = "call-1", status: String = "completed", talk: Int? = 42) -> WebhookEvent {
        .callComplete(CallEvent(connectionId: s.connectionId, callSid: sid, greenVN: s.greenVN, greenvnId: s.greenvnId,
                                from: s.aparty.numbers[0], to: s.bparty.numbers[0], callType: "twoway",
                                startTime: Fixture.t0, currentTime: Fixture.t0.addingTimeInterval(50),
                                dialCallDuration: talk.map { $0 + 5 }, onCallDuration: talk, recordingURL: nil,
                                dialCallStatus: status, direction: "a_to_b", source: "registered"))
    }

    @Test(arguments: Backend.all) func aCallIsRecordedOnItsAllocationOnceEvenWhenDeliveredTwice(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let s = try await rig.ops.allocate(Fixture.request("wh-1"))
        #expect(try await rig.intake.apply(Self.call(s.allocation)) == .call(greenvnId: s.id, new: true))
        #expect(try await rig.intake.apply(Self.call(s.allocation)) == .call(greenvnId: s.id, new: false))
        let calls = try rig.db.registry.calls(of: s.id, limit: 10)
        #expect(calls.count == 1)
        #expect(calls.first.map { $0.from == "+919876543210" && $0.to == "+918765432109" && $0.status == "completed" && $0.talkSeconds == 42 } == true)
        _ = try await rig.intake.apply(Self.call(s.allocation, sid: "call-2", status: "busy", talk: nil))
        #expect(try rig.db.registry.calls(of: s.id, limit: 10).map(\.callSid) == ["call-2", "call-1"], "newest first; same start: the later one first")
        #expect(rig.api.callCount("details") == 0, "a known allocation needs no GET")
    }

    /// The create landed but its answer was lost: the first call through it names its id.
    @Test(arguments: Backend.all) func aCallEventSettlesAnIdUnknownRow(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        rig.api.inject(.actThenFail(.allocatedResponseLost(connectionId: "wh-lost")), on: "create")
        await #expect(throws: GreenVNError.self) { try await rig.ops.allocate(Fixture.request("wh-lost", duration: "2h")) }
        let placeholder = try #require(try rig.db.registry.allocation(connectionId: "wh-lost"))
        #expect(placeholder.status == .idUnknown)
        let real = try #require(rig.api.all.first)

        guard case .settled(let s) = try await rig.intake.apply(Self.call(real)) else { Issue.record("not settled"); return }
        #expect(s.id == real.greenvnId && s.status == .known && s.allocation.greenVN == real.greenVN)
        #expect(s.durationText == "2h" && s.createdAt == placeholder.createdAt, "what was asked at create is kept")
        #expect(try rig.db.registry.allocation(id: placeholder.id) == nil)
        #expect(try rig.db.registry.calls(of: real.greenvnId, limit: 5).count == 1)
        #expect(try rig.db.registry.audit(for: real.greenvnId, limit: 10).contains { $0.action == "settled" && $0.operatorName == WebhookIntake.actor })
        #expect(try rig.db.registry.outbox().isEmpty)
        try checkCounts(rig.db.registry)
    }

    @Test(arguments: Backend.all) func aCallThroughAnAllocationTheRegistryNeverHeardOfIsLearned(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let elsewhere = Fixture.allocation("made-elsewhere", cid: "ext-9", vn: "+918011111119")
        rig.api.seed(elsewhere)
        guard case .learned(let s) = try await rig.intake.apply(Self.call(elsewhere)) else { Issue.record("not learned"); return }
        #expect(s.id == "made-elsewhere" && s.status == .known)
        #expect(try rig.db.registry.calls(of: "made-elsewhere", limit: 5).count == 1)
        // not even Lead Assist knows it: recorded, said so
        let ghost = Fixture.allocation("ghost", cid: "ext-0", vn: "+918011111110")
        guard case .unmatched = try await rig.intake.apply(Self.call(ghost, sid: "call-ghost")) else { Issue.record("ghost matched"); return }
        #expect(try rig.db.registry.calls(of: "ghost", limit: 5).count == 1)
        #expect(try rig.db.registry.allocation(id: "ghost") == nil)
    }

    @Test(arguments: Backend.all) func anExpiryMovesItToTheVaultReleasedByLeadAssist(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let s = try await rig.ops.allocate(Fixture.request("wh-exp", duration: "5m"))
        var gone = s.allocation
        gone.state = .vault
        guard case .expired(let row) = try await rig.intake.apply(.deallocated(gone)) else { Issue.record("not expired"); return }
        #expect(row.allocation.state == .vault && row.releasedBy == "Lead Assist (expired)" && row.releasedAt != nil)
        #expect(try rig.db.registry.history(of: s.id).last?.how == "released (expired)")
        #expect(try rig.db.registry.audit(for: s.id, limit: 1).first.map { $0.action == "expired" && $0.operatorName == WebhookIntake.actor } == true)
        #expect(try rig.db.registry.counts(now: Date()).vault == 1)
        // delivered again: nothing more happens
        _ = try await rig.intake.apply(.deallocated(gone))
        #expect(try rig.db.registry.history(of: s.id).filter(\.isRelease).count == 1)
    }

    @Test(arguments: Backend.all) func verificationsAreAuditedOnTheirAllocation(_ backend: Backend) async throws {
        let rig = try Rig(backend)
        let s = try await rig.ops.allocate(Fixture.request("wh-pin", aPins: [1234]))
        #expect(try await rig.intake.apply(.callerVerified(CallerVerifiedEvent(
            caller: "+917000000001", pin: 1234, greenVN: s.allocation.greenVN, greenvnId: s.id, connectionId: "wh-pin"))) == .audited(target: s.id))
        #expect(try await rig.intake.apply(.verificationFailed(VerificationFailedEvent(
            callSid: "c-9", greenVN: s.allocation.greenVN, startTime: Fixture.t0, caller: "+917000000002", pin: "9999"))) == .audited(target: s.id))
        let entries = try rig.db.registry.audit(for: s.id, limit: 10)
        #expect(entries.map(\.action).prefix(2) == ["verification failed", "caller verified"])
        #expect(!entries.contains { $0.outcome.contains("1234") || $0.outcome.contains("9999") }, "pins are not written down")
    }
}
