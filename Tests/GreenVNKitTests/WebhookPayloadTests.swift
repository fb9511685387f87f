import Foundation
@testable import GreenVNKit
import Testing

@Suite struct WebhookPayloadTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
    static let allocation = Allocation(greenvnId: "3f1c2a9e-7b4d-4e0a-9c51-0d2b8e6f4a17", connectionId: "X1",
                                       aparty: Party(["+919176226528"], pins: [1234]), bparty: Party(["+918136966620"]),
                                       usage: .twoway, state: .vault, greenVN: "+918012345678")
    static let events: [WebhookEvent] = [
        .callComplete(CallEvent(connectionId: "X1", callSid: "c0ffee", greenVN: "+918012345678", greenvnId: allocation.greenvnId,
                                from: "+919176226528", to: "+918136966620", callType: "twoway", startTime: t0,
                                currentTime: t0.addingTimeInterval(47), dialCallDuration: 47, onCallDuration: 42,
                                recordingURL: "https://rec.example.com/c0ffee.mp3", dialCallStatus: "completed",
                                direction: "a_to_b", source: "registered")),
        .callerVerified(CallerVerifiedEvent(caller: "+917000000042", pin: 1234, greenVN: "+918012345678",
                                            greenvnId: allocation.greenvnId, connectionId: "X1")),
        .verificationFailed(VerificationFailedEvent(callSid: "bad5", greenVN: "+918012345678", startTime: t0,
                                                    caller: "+917000000042", pin: "0999")),
        .deallocated(allocation),
    ]

    @Test(arguments: events)
    func everyKindRoundTripsAndIsToldApartByItsKeys(event: WebhookEvent) throws {
        let body = Webhooks.body(event)
        #expect(try Webhooks.decode(body) == event)
        #expect(try Webhooks.decode(body, as: event.kind) == event)
        let keys = try JSONValue.parse(body).keys
        #expect(Set(event.kind.documentedKeys).isSubset(of: keys))
    }

    @Test func callEventsWithOnlyTheRequiredFieldsDecode() throws {
        let minimal = #"{"connection_id":"c","call_sid":"s","greenvn":"+918012345678","greenvn_id":"g","from":"+919176226528","to":"08136966620","start_time":"2026-01-15 14:30:45","dial_call_status":"busy"}"#
        guard case .callComplete(let e) = try Webhooks.decode(Data(minimal.utf8)) else { Issue.record("not a call"); return }
        #expect(e.dialCallStatus == "busy" && e.onCallDuration == nil && e.recordingURL == nil && e.to == "08136966620")
        #expect(e.startTime == Date(timeIntervalSince1970: 1_768_487_445), "plain times are UTC")
        let numbers = #"{"connection_id":"c","call_sid":"s","greenvn":"+918012345678","greenvn_id":123,"from":"+919176226528","to":"+918136966620","start_time":1790000000,"dial_call_status":"completed","on_call_duration":"42"}"#
        guard case .callComplete(let n) = try Webhooks.decode(Data(numbers.utf8)) else { Issue.record("not a call"); return }
        #expect(n.greenvnId == "123" && n.onCallDuration == 42 && n.startTime == Self.t0)
    }

    /// Each case: a valid payload with one thing wrong, the field it must name and the problem.
    @Test(arguments: [
        (#"{"caller":"+917000000042","greenvn":"+918012345678","greenvn_id":"g","connection_id":"c","pin":1234}"#, "", nil as String?),
        (#"{"caller":"+917000000042","greenvn":"+918012345678","greenvn_id":"g","pin":1234}"#, "connection_id", "is missing"),
        (#"{"caller":["+917000000042"],"greenvn":"+918012345678","greenvn_id":"g","connection_id":"c","pin":1234}"#, "caller", "is an array"),
        (#"{"caller":"+917000000042","greenvn":"+918012345678","greenvn_id":"g","connection_id":"c","pin":0}"#, "pin", "starts with 0"),
        (#"{"caller":"+917000000042","greenvn":"+918012345678","greenvn_id":"g","connection_id":"c","pin":-5}"#, "pin", "not a pin"),
        (#"{"caller":"+91\u001b[2J","greenvn":"+918012345678","greenvn_id":"g","connection_id":"c","pin":12}"#, "caller", "not a phone number"),
        (#"{"call_sid":"s","greenvn":"+918012345678","start_time":"yesterday","caller":"+917000000042","pin":"1"}"#, "start_time", "not a time"),
        (#"{"call_sid":"s","greenvn":"+918012345678","start_time":"2026-01-15T10:00:00Z","caller":"+917000000042","pin":{"x":1}}"#, "pin", "is an object"),
        (#"{"connection_id":"c","call_sid":"s","greenvn":"+918012345678","greenvn_id":"g","from":"+919176226528","to":"+918136966620","start_time":"2026-01-15T10:00:00Z","dial_call_status":"completed","on_call_duration":-1}"#, "on_call_duration", "seconds from 0"),
        (#"{"connection_id":"c","call_sid":"s","greenvn":"+918012345678","greenvn_id":"g","from":"+919176226528","to":"+918136966620","start_time":"2026-01-15T10:00:00Z","dial_call_status":"completed","direction":7.5}"#, "direction", "is a number"),
        (#"{"greenvn_id":"g","green_vn":"+918012345678","usage":"oneway","aparty_numbers":["+919176226528"],"bparty_numbers":["+918136966620"],"state":"active"}"#, "state", "carries state vault"),
        (#"{"greenvn_id":"g","green_vn":"+918012345678","usage":"oneway","aparty_numbers":[1],"bparty_numbers":["+918136966620"],"state":"vault"}"#, "aparty_numbers", "holding a number"),
        (#"{"greenvn_id":"g","green_vn":"+918012345678","usage":"sideways","aparty_numbers":[],"bparty_numbers":[],"state":"vault"}"#, "usage", "not oneway or twoway"),
    ])
    func badPayloadsAreRefusedNamingTheField(json: String, field: String, problem: String?) throws {
        let body = Data(json.utf8)
        guard let problem else {
            _ = try Webhooks.decode(body)
            return
        }
        do {
            let e = try Webhooks.decode(body)
            Issue.record("accepted: \(e)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.description.contains(problem), "\(error.description)")
            #expect(error.description.contains("Check"), "says what to do next")
            #expect(!Text.hasControl(error.description))
        }
    }

    @Test func bodiesThatAreNoPayloadAtAllAreRefused() {
        func problem(_ d: Data) -> WebhookPayloadError.Problem? {
            do { _ = try Webhooks.decode(d); return nil } catch { return error.problem }
        }
        #expect(problem(Data()) == .empty)
        #expect(problem(Data(repeating: 0x20, count: Webhooks.maxBodyBytes + 1)) == .tooLarge(bytes: Webhooks.maxBodyBytes + 1))
        #expect(problem(Data("<html>".utf8)) == .notJSON)
        #expect(problem(Data(String(repeating: "[", count: 10_000).utf8)) == .notJSON, "nested too deep")
        #expect(problem(Data("[{}]".utf8)) == .notAnObject)
        #expect(problem(Data(#"{"hello":"world"}"#.utf8)) == .unknownKind)
        do {
            _ = try Webhooks.decode(Data(#"{"x":1}"#.utf8), as: .callerVerified)
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .callerVerified && error.problem == .missing && error.field == "caller")
        }
    }

    @Test func controlCharactersInTextAreStripped() throws {
        let json = #"{"connection_id":"c\u001b]52;c;aGk=\u0007","call_sid":"s\u009b","greenvn":"+918012345678","greenvn_id":"g","from":"+919176226528","to":"+918136966620","start_time":"2026-01-15T10:00:00Z","dial_call_status":"completed"}"#
        guard case .callComplete(let e) = try Webhooks.decode(Data(json.utf8)) else { Issue.record("not a call"); return }
        #expect(!Text.hasControl(e.connectionId) && !Text.hasControl(e.callSid))
        #expect(e.connectionId.hasPrefix("c?]52"))
    }

    @Test func aDeallocationInAnEnvelopeIsReadToo() throws {
        let body = Wire.envelope(status: 200, data: Wire.json(Self.allocation))
        #expect(try Webhooks.decode(body) == .deallocated(Self.allocation))
    }
}
